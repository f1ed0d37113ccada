/**
 * The new form fields in a real browser (headless Chromium) against the local runtime: a review asks
 * the requester a question (SOP 4), the requester answers on the reply page, the team sees the answer
 * on its new task page, and the curriculum review re-routes the request to DII (SOP 3/7), once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime.ts';
import { requestBody } from '../e2e/helpers.ts';
import {
  launchChromium,
  nextTaskEmail,
  pollUntil,
  readOutbox,
  screenshot,
  watchPageProblems,
} from './helpers.ts';

let runtime: LocalRuntime;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'browser-questions-'));
  runtime = await startLocalRuntime({ port: 0, dataDir });
  context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function submit(): Promise<string> {
  const body = requestBody({
    resourceName: 'Question Quest',
    resourceUrl: undefined,
    resourceKind: 'software',
    cost: 0,
    studentDataShared: false,
    studentDataElements: undefined,
  });
  const res = await fetch(`${runtime.baseUrl}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { requestId: string }).requestId;
}

async function decide(
  page: Page,
  link: string,
  decision: string,
  fill: () => Promise<void> = async () => {},
) {
  await page.goto(link);
  await page.check(`input[name="decision"][value="${decision}"]`);
  await fill();
  await page.fill('#decidedBy', 'Chris Park');
  await page.click('button[type="submit"]');
  await page.waitForSelector('h1:has-text("recorded")');
}

describe('questions and re-routing in the browser', () => {
  it('SOP 4 and 3/7: ask the requester, answer on the reply page, see the answer, then re-route once', async () => {
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    const requestId = await submit();
    const seen = new Set<string>();

    // Cybersecurity asks the requester a question instead of deciding.
    const first = await nextTaskEmail(runtime.baseUrl, seen, 'privacy review');
    seen.add(first.link);
    await decide(page, first.link, 'ask', async () => {
      await page.fill('#question', 'Do students sign in with their district accounts?');
      await page.selectOption('#recipient', 'requester');
    });
    await screenshot(page, 'questions-01-asked');

    // The requester answers on the reply page.
    const reply = await pollUntil(
      () => readOutbox(runtime.baseUrl),
      (emails) =>
        emails
          .filter((e) => e.subject.includes(requestId))
          .map((e) => /https?:\/\/\S+\/replies\/\S+\?t=\S+/.exec(e.text)?.[0])
          .find(Boolean),
      { what: 'the reply link email' },
    );
    await page.goto(reply);
    await expect(page.locator('#question-text').textContent()).resolves.toBe(
      'Do students sign in with their district accounts?',
    );
    await page.fill('#answer', 'Yes, with Clever single sign-on.');
    await page.fill('#decidedBy', 'Maria Lopez');
    await screenshot(page, 'questions-02-reply-form');
    await page.click('button[type="submit"]');
    await expect(page.locator('h1').textContent()).resolves.toBe('Thank you: your answer was sent');

    // The team's new link shows the question and the answer; it decides.
    const second = await nextTaskEmail(runtime.baseUrl, seen, 'privacy review again');
    seen.add(second.link);
    await page.goto(second.link);
    await expect(page.locator('main').textContent()).resolves.toContain('Yes, with Clever single sign-on.');
    await decide(page, second.link, 'acceptable', async () => {
      await page.check('input[name="studentDataRequired"][value="no"]');
      await page.fill('#vendorContactEmail', 'privacy@questquest.example');
    });

    // Curriculum sends it to DII's administrative review, with a reason.
    const curriculum = await nextTaskEmail(runtime.baseUrl, seen, 'curriculum review');
    seen.add(curriculum.link);
    await decide(page, curriculum.link, 'reroute', async () => {
      await page.fill('#comment', 'Staff scheduling tool: administrative.');
    });

    // DII can decide it, but not send it back.
    const admin = await nextTaskEmail(runtime.baseUrl, seen, 'administrative review');
    expect(admin.email.to).toContain('dii@district.example');
    await page.goto(admin.link);
    await expect(page.locator('input[name="decision"][value="reroute"]').count()).resolves.toBe(0);
    await expect(page.locator('input[name="decision"][value="approve"]').count()).resolves.toBe(1);
    await expect(page.locator('main').textContent()).resolves.toContain(
      'Staff scheduling tool: administrative.',
    );
    await screenshot(page, 'questions-03-no-second-reroute');
    expect(problems).toEqual([]);
  });
});
