/**
 * The local SES keeps mail on disk before the sender is told it was sent: a crash (kill -9) right
 * after a step sent an email can never lose it, since the step either finished with the email on disk
 * or runs again after the restart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { useTestRuntime } from './helpers.ts';

const env = useTestRuntime('outbox');

describe('local runtime: the outbox is durable', () => {
  it('an email is in outbox.jsonl, synced, by the time SendEmail returns', async () => {
    const ses = new SESClient({
      endpoint: env.runtime.env.AWS_ENDPOINT_URL_SES,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    const sent = await ses.send(
      new SendEmailCommand({
        Source: 'workflow@district.example',
        Destination: { ToAddresses: ['ccs@district.example'] },
        Message: {
          Subject: { Data: 'Durability check' },
          Body: { Text: { Data: 'Kept before the answer.' } },
        },
      }),
    );

    const lines = readFileSync(join(env.runtime.dataDir, 'outbox.jsonl'), 'utf8').trim().split('\n');
    const kept = lines.map((l) => JSON.parse(l) as { messageId: string; subject: string });
    expect(kept).toContainEqual(
      expect.objectContaining({ messageId: sent.MessageId, subject: 'Durability check' }),
    );
  });

  it('keeps every email when many are sent within the same second, and serves the new ones from ?from=N', async () => {
    const ses = new SESClient({
      endpoint: env.runtime.env.AWS_ENDPOINT_URL_SES,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const before = (await fetch(`${env.runtime.baseUrl}/_local/outbox`).then((r) => r.json())) as unknown[];

    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ses.send(
          new SendEmailCommand({
            Source: 'workflow@district.example',
            Destination: { ToAddresses: ['ccs@district.example'] },
            Message: { Subject: { Data: `Burst ${i}` }, Body: { Text: { Data: 'One of many.' } } },
          }),
        ),
      ),
    );

    const fresh = (await fetch(`${env.runtime.baseUrl}/_local/outbox?from=${before.length}`).then((r) =>
      r.json(),
    )) as { messageId: string }[];
    expect(fresh.map((e) => e.messageId).sort()).toEqual(sent.map((s) => s.MessageId).sort());
    expect((await fetch(`${env.runtime.baseUrl}/_local/outbox?from=-1`)).status).toBe(400);
  });
});
