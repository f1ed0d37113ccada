/**
 * TS-PE-535 in a real browser (headless Chromium) against the local runtime: a teacher fills in the
 * request form, each team opens its emailed task link and records its decision, and the request ends
 * Approved — on the status page, in the registry, and on the auditors' executions diagram.
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime.ts';
import {
  launchChromium,
  nextTaskEmail,
  pollUntil,
  readOutbox,
  SCREENSHOTS_DIR,
  screenshot,
  watchPageProblems,
} from './helpers.ts';

const HOST = 'www.storylineonline.net';
const LOGIN_HOST = 'login.storylineonline.net';
const UI_TIMEOUT = 15_000;

let runtime: LocalRuntime;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
/** The address people use (emailed links and redirects point here), as on API Gateway. */
let site: string;

beforeAll(async () => {
  // Chromium first: without it the suite fails here with the install command, it is never skipped.
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'browser-flow-'));
  runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    fakeSslGrades: { [HOST]: 'A' },
    fakeSslPollsUntilReady: 1,
    waitTimeOverrides: { WaitForSslScan: 0 },
  });
  site = (runtime.env.PUBLIC_BASE_URL ?? runtime.baseUrl).replace(/\/+$/, '');
  context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(UI_TIMEOUT);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function counts() {
  const executions = (await (await fetch(`${runtime.baseUrl}/_local/executions`)).json()) as unknown[];
  const registry = (await (
    await fetch(`${runtime.baseUrl}/registry`, { headers: { accept: 'application/json' } })
  ).json()) as unknown[];
  return {
    executions: executions.length,
    emails: (await readOutbox(runtime.baseUrl)).length,
    registry: registry.length,
  };
}

/** SOP step 2, as a teacher fills it in: a free read-aloud website for the early grades. */
async function fillRequestForm(page: Page) {
  await page.fill('#requesterName', 'Maria Lopez');
  await page.fill('#requesterEmail', 'maria.lopez@district.example');
  await page.fill('#principal', 'Dr. Ann Smith');
  await page.fill('#resourceName', 'Storyline Online');
  await page.fill('#vendorName', 'SAG-AFTRA Foundation');
  await page.check('#resourceKind-web-service');
  await page.fill('#resourceUrl', `https://${HOST}`);
  await page.check('#requestType-instructional');
  await page.fill('#cost', '0');
  await page.fill('#paymentResponsibility', 'None: the resource is free');
  await page.fill('#budgetCode', '199-11-6399-00-101-0-00');
  await page.fill('#gradeLevels', 'K, 1, 2');
  await page.fill('#contentAreas', 'Reading\nLanguage Arts');
  await page.fill('#teksAddressed', '110.2(b)(1)(A), 110.3(b)(6)(A)');
  await page.fill(
    '#commonCoreAlignment',
    'RL.K.1 and RL.1.2: ask and answer questions about key details; retell stories.',
  );
  await page.fill(
    '#studentUseVision',
    'Students listen to picture books read aloud by actors, then retell the story in their own words.',
  );
  await page.check('#mediaReleaseRequired-no');
  await page.check('#studentLoginRequired-no');
  await page.check('#studentDataShared-yes');
  await page.fill('#studentDataElements', 'First name\nReading level');
}

/** Each human step of this request, in order: the team address the link goes to, and what they decide. */
const STEPS = [
  {
    kind: 'privacy review (SOP 4)',
    team: 'ccs@district.example',
    decision: 'acceptable',
    decidedBy: 'Chris Park (Cybersecurity)',
    fill: async (page: Page) => {
      await page.check('input[name="studentDataRequired"][value="yes"]');
      await page.fill('#vendorContactEmail', 'privacy@storylineonline.example');
      // SOP 5: the websites box holds the request's link; Cybersecurity adds the sign-in host.
      await expect(page.inputValue('#websites')).resolves.toBe(`https://${HOST}`);
      await page.fill('#websites', `https://${HOST}\n${LOGIN_HOST}`);
    },
  },
  {
    kind: 'DPA signature (SOP 4/6)',
    team: 'ccs@district.example',
    decision: 'signed',
    decidedBy: 'Chris Park (Cybersecurity)',
    fill: async (page: Page) => {
      await page.fill('#dpaExpiresOn', '2027-11-30');
    },
  },
  {
    kind: 'curriculum review (SOP 8)',
    team: 'instructional-tech@district.example',
    decision: 'approve',
    decidedBy: 'Dana Reyes (Instructional Technology)',
    fill: async () => undefined,
  },
  {
    kind: 'technical review (SOP 10)',
    team: 'dii@district.example',
    decision: 'sound',
    decidedBy: 'Sam Okafor (DII)',
    fill: async () => undefined,
  },
  {
    kind: 'installation (SOP 15)',
    team: 'dii@district.example',
    decision: 'installed',
    decidedBy: 'Sam Okafor (DII)',
    fill: async () => undefined,
  },
] as const;

describe('the request form in a browser', () => {
  it('SOP 2: a form with missing fields shows an error on each field and creates nothing', async () => {
    // Prepare
    const before = await counts();
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${site}/`);
    await page.fill('#requesterName', 'Maria Lopez');
    await page.fill('#resourceName', 'Storyline Online');
    await page.fill('#requesterEmail', 'not-an-email');

    // Act
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/requests') && r.request().method() === 'POST'),
      page.click('button[type="submit"]'),
    ]);
    await page.waitForSelector('#error-summary');
    await screenshot(page, 'form-errors');

    // Assess
    expect(response.status()).toBe(400);
    await expect(page.locator('#error-summary h2').textContent()).resolves.toContain('There is a problem');
    for (const field of ['requesterEmail', 'principal', 'vendorName', 'budgetCode', 'studentUseVision']) {
      await expect(page.locator(`#${field}-error`).isVisible(), field).resolves.toBe(true);
      await expect(page.locator(`#${field}`).getAttribute('aria-invalid'), field).resolves.toBe('true');
    }
    for (const field of ['resourceKind', 'requestType', 'studentDataShared']) {
      await expect(page.locator(`#${field}-error`).isVisible(), field).resolves.toBe(true);
    }
    await expect(page.inputValue('#requesterName')).resolves.toBe('Maria Lopez');
    await expect(page.locator('#requesterName-error').count()).resolves.toBe(0);
    expect(await counts()).toEqual(before);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('SOP 1-17: a free instructional website is requested, vetted, approved and published, step by step', async () => {
    const page = await context.newPage();
    const problems = watchPageProblems(page);

    // SOP 1-2: the teacher submits the form and lands on the status page.
    await page.goto(`${site}/`);
    await fillRequestForm(page);
    await screenshot(page, '01-request-form');
    await Promise.all([page.waitForURL(/\/requests\/SR-[\w-]+$/), page.click('button[type="submit"]')]);
    const requestId = /\/requests\/(SR-[\w-]+)$/.exec(page.url())![1]!;
    await expect(page.locator('h1').textContent()).resolves.toBe(`Request ${requestId}`);
    await expect(page.locator('main .badge').first().textContent()).resolves.toMatch(/review/i);
    await screenshot(page, '02-status-submitted');

    // SOP 3-15: each team opens its emailed link, decides, and sees it recorded.
    const seen = new Set<string>();
    for (const [i, step] of STEPS.entries()) {
      const { email, link } = await nextTaskEmail(runtime.baseUrl, seen, step.kind);
      seen.add(link);
      expect(email.to, step.kind).toContain(step.team);
      expect(email.text, step.kind).toContain(requestId);

      await page.goto(link);
      await page.waitForSelector('input[name="decision"]');
      await page.check(`input[name="decision"][value="${step.decision}"]`);
      await step.fill(page);
      await page.fill('#decidedBy', step.decidedBy);
      await page.fill('#comment', `Reviewed for ${requestId}.`);
      await screenshot(page, `03-task-${i + 1}-${step.decision}-form`);
      await page.click('button[type="submit"]');
      await page.waitForSelector('h1:has-text("recorded")');
      await expect(page.locator('h1').textContent(), step.kind).resolves.toMatch(/^Decision recorded/);
      await expect(page.locator('main').textContent()).resolves.toContain(step.decidedBy);
      await screenshot(page, `03-task-${i + 1}-${step.decision}-recorded`);
    }

    // SOP 16: the status page shows Approved.
    await pollUntil(
      async () =>
        (await (
          await fetch(`${runtime.baseUrl}/requests/${requestId}`, { headers: { accept: 'application/json' } })
        ).json()) as { status: string; currentStep?: number },
      (view) => (view.status === 'APPROVED' ? view : undefined),
      { what: `request ${requestId} to be APPROVED`, describe: (v) => JSON.stringify(v).slice(0, 300) },
    );
    await page.goto(`${site}/requests/${requestId}`);
    await expect(page.locator('main .badge').first().textContent()).resolves.toBe('Approved');
    await screenshot(page, '04-status-approved');
    // SOP 5: both websites Cybersecurity named were SSL-tested.
    const tested = new Set(runtime.fakeSslLabs?.calls.map((c) => c.host));
    expect([...tested]).toEqual(expect.arrayContaining([HOST, LOGIN_HOST]));

    // SOP 16: the registry lists the resource as Approved.
    await page.goto(`${site}/registry?q=Storyline`);
    const row = page.locator('tbody tr', { hasText: 'Storyline Online' });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('.badge').textContent()).resolves.toBe('Approved');
    const cells = await row.locator('td').allTextContents();
    expect(cells, 'vendor, status, since, reason, DPA expires, SSL grade, renewal, website, request').toEqual(
      [
        'SAG-AFTRA Foundation',
        'Approved',
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        '—',
        '2027-11-30',
        'A',
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        HOST,
        requestId,
      ],
    );
    await screenshot(page, '05-registry');

    // The auditors' view: the execution succeeded, and its diagram highlights the path taken.
    await page.goto(`${site}/executions`);
    const execution = page.locator('table.executions tbody tr', { hasText: requestId });
    await expect(execution.locator('.badge').textContent()).resolves.toBe('Succeeded');
    await screenshot(page, '06-executions');
    await Promise.all([
      page.waitForURL(/\/executions\/SR-/),
      execution.locator(`a:text-is("${requestId}")`).click(),
    ]);
    await page.waitForSelector('svg[role="img"] g.sm-state');
    const taken = await page
      .locator('svg[role="img"] g.sm-state.taken')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
    expect(taken).toEqual(
      expect.arrayContaining([
        'StartSecurityVetting',
        'IsCurrentVettingReused',
        'PrivacyPolicyReview',
        'SendDpa',
        'AwaitSignedDpa',
        'StartSslScan',
        'IsSslScanFinished',
        'RouteApproval',
        'CurriculumReview',
        'TechnicalReview',
        'Installation',
        'PublishApproved',
        'ScheduleRenewal',
        'Approved',
      ]),
    );
    expect(taken).not.toContain('AdministrativeReview');
    expect(taken).not.toContain('Procurement');
    await expect(page.locator('svg[role="img"] path.sm-edge.taken').count()).resolves.toBeGreaterThanOrEqual(
      taken.length - 1,
    );
    await expect(page.locator('svg[role="img"] desc').textContent()).resolves.toContain(
      'Path taken (highlighted): IsResumed → StartSecurityVetting → IsCurrentVettingReused → PrivacyPolicyReview',
    );
    const box = await page.locator('svg[role="img"]').boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    await screenshot(page, '07-execution-diagram');
    await writeDocsScreenshot(page);
    expect(problems).toEqual([]);
    await page.close();

    // On a phone the page does not overflow sideways: the diagram scrolls inside its frame.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const small = await phone.newPage();
    await small.goto(`${site}/executions/${requestId}`);
    await small.waitForSelector('svg[role="img"]');
    const size = (selector: string) =>
      small.locator(selector).evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    const whole = await size('html');
    const frame = await size('figure.diagram');
    expect(whole.scroll, 'page width on a phone').toBeLessThanOrEqual(whole.client);
    expect(frame.scroll, 'the diagram scrolls inside its frame').toBeGreaterThan(frame.client);
    await screenshot(small, '08-execution-phone');
    await phone.close();
  }, 120_000);
});

/**
 * The README's picture: the top of the execution page (status and the diagram's first steps).
 * Written to test-results/ on every run; copied to docs/screenshot.png only with UPDATE_DOCS_SCREENSHOT=1,
 * so an ordinary test run never changes a committed file.
 */
async function writeDocsScreenshot(page: Page) {
  await page.setViewportSize({ width: 1100, height: 1300 });
  const path = join(SCREENSHOTS_DIR, 'readme-execution.png');
  await page.screenshot({ path, clip: { x: 0, y: 0, width: 1100, height: 1300 } });
  expect(statSync(path).size).toBeLessThan(300 * 1024);
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1') copyFileSync(path, 'docs/screenshot.png');
}
