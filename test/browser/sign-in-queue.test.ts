/**
 * Signed-in people in a real browser (AUTH_MODE=sso, headless Chromium against the local runtime and
 * its embedded OpenID provider): a reviewer opens the work queue, is sent to sign in, comes back to
 * the queue, takes the team's task and decides it from there, without the emailed link; the teacher
 * finds the request in their own list. axe-core finds no WCAG 2.1 AA violation on the sign-in page,
 * the queue, the decision page and the list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime.ts';
import { fieldOf } from '#shared/core/guards.ts';
import { requestBody } from '../e2e/helpers.ts';
import { signIn } from '../support/sign-in.ts';
import { axeViolations, launchChromium, pollUntil, screenshot, watchPageProblems } from './helpers.ts';

const UI_TIMEOUT = 15_000;
let runtime: LocalRuntime;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'browser-queue-'));
  runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    authMode: 'sso',
    waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
    fakeSslPollsUntilReady: 1,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A teacher's request, submitted with their session (as the site's JSON API is used signed in). */
async function submitAsTeacher(): Promise<string> {
  const teacher = await signIn(runtime, 'teacher@district.example.org');
  const res = await teacher.jar.fetch(`${runtime.siteUrl}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': teacher.csrf },
    body: JSON.stringify(requestBody({ requesterEmail: teacher.email, resourceName: 'Queue Browser Test' })),
  });
  expect(res.status).toBe(201);
  return String(fieldOf(await res.json(), 'requestId'));
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, `sign-in-queue-${name}`);
  expect(await axeViolations(page), name).toEqual([]);
}

describe('a reviewer signs in and decides from the work queue', () => {
  it('signs in through the local provider, takes the task and records the decision', async () => {
    const requestId = await submitAsTeacher();
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    const problems = watchPageProblems(page);

    await page.goto(`${runtime.siteUrl}/queue`);
    await page.waitForURL(/\/_local\/idp\/interaction\//);
    await expectAccessible(page, 'sign-in');
    await page.fill('input[name="email"]', 'cybersecurity@district.example.org');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${runtime.siteUrl}/queue`);

    // The privacy review reaches the queue once assign-task has run.
    await pollUntil(
      async () => {
        await page.reload();
        return page.content();
      },
      (html) => (html.includes(requestId) ? true : undefined),
      { what: `the privacy review of ${requestId} in the queue` },
    );
    await expectAccessible(page, 'queue');
    const row = page.locator('tr', { hasText: requestId });
    await row.getByRole('button', { name: 'Take' }).click();
    await page.waitForURL(/\/queue\?done=claim/);
    await expect
      .poll(() => page.locator('tr', { hasText: requestId }).textContent())
      .toContain('cybersecurity@district.example.org');

    await page
      .locator('tr', { hasText: requestId })
      .getByRole('link', { name: /privacy/i })
      .click();
    await page.waitForURL(/\/tasks\//);
    await expectAccessible(page, 'task');
    expect(await page.locator('input[name="decidedBy"]').count()).toBe(0);
    await page.check('input[name="decision"][value="acceptable"]');
    await page.check('input[name="studentDataRequired"][value="no"]');
    await page.fill('input[name="vendorContactEmail"]', 'privacy@vendor.example');
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/recorded/i);
    expect(problems).toEqual([]);

    // The teacher's own list, after signing in from it.
    const teacherPage = await (await browser.newContext()).newPage();
    teacherPage.setDefaultTimeout(UI_TIMEOUT);
    await teacherPage.goto(`${runtime.siteUrl}/my/requests`);
    await teacherPage.waitForURL(/\/_local\/idp\/interaction\//);
    await teacherPage.fill('input[name="email"]', 'teacher@district.example.org');
    await teacherPage.click('button[type="submit"]');
    await teacherPage.waitForURL(`${runtime.siteUrl}/my/requests`);
    expect(await teacherPage.locator('table').textContent()).toContain(requestId);
    await expectAccessible(teacherPage, 'my-requests');
  }, 90_000);
});
