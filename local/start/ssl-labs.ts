/** SSL Labs: the built-in fake (local/fake-ssllabs.ts), or the API the options name. */
import { type FakeGrade, type FakeSslLabs, startFakeSslLabs } from '../fake-ssllabs.ts';
import type { Started } from '../net.ts';

/** The built-in fake SSL Labs, or the API the options name (nothing to start or stop then). */
export async function startSslLabs(
  options: {
    sslLabsApiBase?: string;
    fakeSslGrades?: Record<string, FakeGrade | FakeGrade[]>;
    fakeSslPollsUntilReady?: number;
  },
  port: number,
): Promise<Started & { port: number; fake?: FakeSslLabs }> {
  if (options.sslLabsApiBase) return { url: options.sslLabsApiBase, port, close: async () => undefined };
  const fake = await startFakeSslLabs({
    port,
    ...(options.fakeSslGrades ? { grades: options.fakeSslGrades } : {}),
    ...(options.fakeSslPollsUntilReady !== undefined
      ? { pollsUntilReady: options.fakeSslPollsUntilReady }
      : {}),
  });
  return { url: fake.url, port: Number(new URL(fake.url).port), fake, close: () => fake.close() };
}
