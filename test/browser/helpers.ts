/**
 * Browser test helpers: Chromium driven by playwright-core (never a downloaded browser),
 * screenshots as test artefacts, and bounded polling of the local runtime's outbox.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { OutboxEmail } from '#local/runtime.ts';

export const SCREENSHOTS_DIR = 'test-results/screenshots';

/** Debian's Chromium, when the machine has it (apt-get install chromium). */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium that needs no install step and no download: CHROMIUM_PATH if set, else the
 * system's /usr/bin/chromium, else the Chromium that ships inside the @sparticuz/chromium package
 * (unpacked from node_modules to the temp folder on first use), so `npm ci && npm test` passes on a
 * machine with no browser.
 */
export async function launchChromium(): Promise<Browser> {
  const configured = process.env.CHROMIUM_PATH?.trim();
  if (configured && !existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
  const system = configured || (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
  if (system)
    return chromium.launch({ executablePath: system, headless: true, args: ['--headless', ...FLAGS] });
  const packaged = (await import('@sparticuz/chromium')).default;
  return chromium.launch({
    executablePath: await packaged.executablePath(),
    headless: true,
    // Its own flags first (single process, software GL: it is built for Lambda), then ours.
    args: [...packaged.args.filter((a) => !a.startsWith('--headless')), ...FLAGS],
  });
}

/** A full-page screenshot under test-results/screenshots/ (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects Content-Security-Policy violations and page errors, so a test can assert there were none. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

export async function readOutbox(baseUrl: string): Promise<OutboxEmail[]> {
  const res = await fetch(`${baseUrl}/_local/outbox`);
  if (!res.ok) throw new Error(`GET /_local/outbox answered ${res.status}`);
  return (await res.json()) as OutboxEmail[];
}

/** Polls `read` until `pick` returns a value, or fails after `timeoutMs` with `what` and the last state. */
export async function pollUntil<T, R>(
  read: () => Promise<T>,
  pick: (value: T) => R | undefined,
  options: { what: string; timeoutMs?: number; intervalMs?: number; describe?: (value: T) => string },
): Promise<R> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await read();
    const found = pick(value);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${options.what}${options.describe ? `; last seen: ${options.describe(value)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Task links (`…/tasks/{id}?t=…`) in an email's text. */
export function taskLinksIn(email: OutboxEmail): string[] {
  return [...new Set(email.text.match(/https?:\/\/[^\s"'<>]+\/tasks\/[^\s"'<>?]+\?t=[^\s"'<>]+/g) ?? [])];
}

/** The next email carrying a task link not seen before. */
export async function nextTaskEmail(
  baseUrl: string,
  seen: Set<string>,
  what: string,
): Promise<{ email: OutboxEmail; link: string }> {
  return pollUntil(
    () => readOutbox(baseUrl),
    (emails) => {
      for (const email of emails) {
        const link = taskLinksIn(email).find((l) => !seen.has(l));
        if (link) return { email, link };
      }
      return undefined;
    },
    {
      what: `an email with the ${what} task link`,
      describe: (emails) =>
        emails.map((e) => `"${e.subject}" to ${e.to.join(', ')}`).join('; ') || 'no email',
    },
  );
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0 and 2.1, levels A and AA: what the ADA Title II rule requires. */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG 2.1 A/AA violations on the page as it is now. axe is evaluated through the DevTools
 * protocol, not as a page script: the pages' CSP allows no script but their own, and must stay so.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: Violation[] }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  }, WCAG_21_AA);
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}
