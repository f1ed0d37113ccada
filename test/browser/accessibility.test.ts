/**
 * Accessible to everyone who must use it (issue 12 item 10): the ADA Title II rule (2024) holds a
 * public school district's web content to WCAG 2.1 AA. Every page is opened in a real browser
 * (headless Chromium) against the local runtime and checked with axe-core's WCAG 2.1 A/AA rules; any
 * violation fails the test, with its rule, impact and the offending elements.
 *
 * The pages are a list (PAGES, plus one task page per kind of shared/workflow/task-kinds.ts, so a new
 * kind is checked without touching this file). To check a new page, add an entry to PAGES: a name and
 * a function that brings the page to the state to check (e.g. the question/answer pages of a request).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime.ts';
import { handlerInvoker } from '#local/start/handlers.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import { TASK_KINDS, type TaskKind } from '#shared/workflow/task-kinds.ts';
import { requestBody } from '../e2e/helpers.ts';
import requestFixture from '../events/request-record.json' with { type: 'json' };
import { openRuntimeStore } from '../support/runtime-store.ts';
import {
  axeViolations,
  launchChromium,
  nextTaskEmail,
  pollUntil,
  readOutbox,
  screenshot,
  watchPageProblems,
} from './helpers.ts';

/** An approved request whose security vetting (steps 3–6) was reused from an earlier request. */
const REUSED: RequestRecord = {
  ...(structuredClone(requestFixture) as RequestRecord),
  requestId: 'SR-20261001-2NDREQ01',
  status: 'APPROVED',
  currentStep: 16,
  currentActivity: 'Approved',
  security: {
    reusedVetting: {
      requestId: 'SR-20260901-VETTED01',
      resourceId: resourceIdOf({ name: 'Math Blaster', vendorName: 'Blaster Learning' }),
      approvedAt: '2026-09-20T10:00:00.000Z',
      dpaExpiresOn: '2028-06-30',
      sslGrade: 'A',
      sslTestedAt: '2026-09-15T10:00:00.000Z',
      websites: ['www.mathblaster.example'],
    },
  },
  renewal: {
    status: 'DUE',
    dueOn: '2027-08-30',
    renewedWith: 'SR-20260901-VETTED01',
    reason:
      "The annual renewal (SOP 17) is request SR-20260901-VETTED01's, whose security vetting this request reused",
  },
};

const UI_TIMEOUT = 15_000;

let runtime: LocalRuntime;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
let site: string;
let requestId: string;
/** The reply link a question sends to the requester (its page is the `answer` task's). */
async function nextReplyEmail(baseUrl: string): Promise<{ link: string }> {
  return pollUntil(
    () => readOutbox(baseUrl),
    (emails) => {
      const link = emails
        .map((e) => /https?:\/\/[^\s"'<>]+\/replies\/[^\s"'<>?]+\?t=[^\s"'<>]+/.exec(e.text)?.[0])
        .find(Boolean);
      return link ? { link } : undefined;
    },
    { what: 'an email with a reply link', describe: (emails) => emails.map((e) => e.subject).join('; ') },
  );
}

/** The emailed task link of each kind. */
const links = new Map<TaskKind, string>();

/** Opens a page in a fresh tab, lets `prepare` bring it to the state to check, and runs axe on it. */
async function check(name: string, prepare: (page: Page) => Promise<void>): Promise<void> {
  const page = await context.newPage();
  const problems = watchPageProblems(page);
  try {
    await prepare(page);
    await screenshot(page, `a11y-${name}`);
    expect(await axeViolations(page), name).toEqual([]);
    expect(problems, `${name}: CSP refusals or script errors`).toEqual([]);
  } finally {
    await page.close();
  }
}

/** The pages to check, in order (later ones may rely on what earlier ones did). */
const PAGES: { name: string; prepare: (page: Page) => Promise<void> }[] = [
  { name: 'request form', prepare: async (page) => void (await page.goto(`${site}/`)) },
  // Technology Services' reports: charts as inline SVG with their titles, the figures in tables.
  { name: 'reports', prepare: async (page) => void (await page.goto(`${site}/reports`)) },
  {
    // The form hint (shared/registry/pages/registry-matches.ts): matches listed under "Name of resource".
    name: 'request form, registry matches listed',
    prepare: async (page) => {
      await page.goto(`${site}/`);
      await page.locator('#resourceName').pressSequentially('tide', { delay: 20 });
      await page.waitForSelector('#registry-matches li:has-text("Tide Charts") button');
    },
  },
  {
    name: 'request form with errors',
    prepare: async (page) => {
      await page.goto(`${site}/`);
      await page.fill('#requesterName', 'Maria Lopez');
      await page.fill('#requesterEmail', 'not-an-email');
      await Promise.all([page.waitForSelector('#error-summary'), page.click('button[type="submit"]')]);
    },
  },
  {
    name: 'status page, in review',
    prepare: async (page) => {
      await page.goto(`${site}/requests/${requestId}`);
      await page.waitForSelector('#pause-updates:not([hidden])');
    },
  },
  {
    // Steps 3–6 satisfied by an earlier request's vetting, and the renewal that request does.
    name: 'status page, security vetting reused',
    prepare: async (page) => {
      await page.goto(`${site}/requests/${REUSED.requestId}`);
      await page.waitForSelector('#reused-title');
    },
  },
  {
    name: 'status page, unknown request',
    prepare: async (page) => void (await page.goto(`${site}/requests/SR-20260101-NOTFOUND`)),
  },
  {
    name: 'task page with errors',
    prepare: async (page) => {
      await page.goto(links.get('curriculum-review') as string);
      // The browser's own checks (required fields) would stop the submission: the server's are shown.
      await page.$eval('form', (form) => {
        (form as unknown as { noValidate: boolean }).noValidate = true;
      });
      await Promise.all([
        page.waitForSelector('#error-summary, .errors, [aria-invalid="true"]'),
        page.click('button[type="submit"]'),
      ]);
    },
  },
  { name: 'registry', prepare: async (page) => void (await page.goto(`${site}/registry`)) },
  {
    name: 'registry, searched',
    prepare: async (page) => void (await page.goto(`${site}/registry?q=nothing-like-this`)),
  },
  // For parents: the approved resources, the student data each receives, the agreements (issue 20).
  { name: 'public list', prepare: async (page) => void (await page.goto(`${site}/public`)) },
  {
    // The vendor's upload page for the signed DPA (the link the DPA email carries).
    name: 'vendor upload page',
    prepare: async (page) => {
      const { store, close } = openRuntimeStore(runtime);
      const link = await store
        .createUploadLink({
          requestId,
          kind: 'dpa',
          sentTo: 'privacy@vendor.example',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        })
        .finally(close);
      await page.goto(`${site}/uploads/${link.uploadId}?t=${link.secret}`);
      await page.waitForSelector('input[type="file"]');
    },
  },
  {
    // The vendor's incident form (the other link the DPA emails carry), then shown again with errors.
    name: 'vendor incident form',
    prepare: async (page) => void (await page.goto(await incidentLink())),
  },
  {
    name: 'vendor incident form with errors',
    prepare: async (page) => {
      await page.goto(await incidentLink());
      await page.fill('#reportedOn', '2026-11-30');
      await page.fill('#description', ' ');
      await page.fill('#dataElements', ' ');
      await Promise.all([page.waitForSelector('#error-summary'), page.click('button[type="submit"]')]);
    },
  },
  { name: 'executions', prepare: async (page) => void (await page.goto(`${site}/executions`)) },
  {
    name: 'execution with its diagram',
    prepare: async (page) => void (await page.goto(`${site}/executions/${requestId}`)),
  },
];

/** A vendor incident link for REUSED's resource (in the registry as approved by it). */
async function incidentLink(): Promise<string> {
  const { store, close } = openRuntimeStore(runtime);
  try {
    const resourceId = resourceIdOf({ name: REUSED.resource.name, vendorName: REUSED.resource.vendorName });
    await store.putRegistryEntry({
      resourceId,
      resourceName: REUSED.resource.name,
      vendorName: REUSED.resource.vendorName,
      status: 'APPROVED',
      statusDate: '2026-10-01T00:00:00.000Z',
      source: 'workflow',
      requestId: REUSED.requestId,
      requestIds: [REUSED.requestId],
    });
    const link = await store.createIncidentLink({
      requestId: REUSED.requestId,
      resourceId,
      resourceName: REUSED.resource.name,
      vendorName: REUSED.resource.vendorName,
      sentTo: 'privacy@vendor.example',
    });
    return `${site}/incidents?link=${link.linkId}&t=${link.secret}`;
  } finally {
    close();
  }
}

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'browser-a11y-'));
  runtime = await startLocalRuntime({ port: 0, dataDir, fakeSslPollsUntilReady: 1 });
  site = (runtime.env.PUBLIC_BASE_URL ?? runtime.baseUrl).replace(/\/+$/, '');
  context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(UI_TIMEOUT);

  // A registry entry for the form hint to list.
  const { store, close } = openRuntimeStore(runtime);
  await store.createRequest(REUSED);
  await store.putRegistryEntry({
    resourceId: resourceIdOf({ name: 'Tide Charts', vendorName: 'Ocean Data' }),
    resourceName: 'Tide Charts',
    vendorName: 'Ocean Data',
    status: 'APPROVED',
    statusDate: '2026-10-01T00:00:00.000Z',
    source: 'imported',
    dpaExpiresOn: '2027-09-30',
    sslGrade: 'A',
  });
  close();

  // A request waiting for its privacy review (a real task), and one task of every other kind assigned
  // for it as the state machine would (assign-task, with a token no execution waits on: the pages are
  // only looked at here, never answered).
  const res = await fetch(`${runtime.baseUrl}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(
      requestBody({ resourceName: 'Tide Tables', resourceUrl: undefined, resourceKind: 'application' }),
    ),
  });
  requestId = ((await res.json()) as { requestId: string }).requestId;
  const seen = new Set<string>();
  const privacy = await nextTaskEmail(runtime.baseUrl, seen, 'privacy-review');
  seen.add(privacy.link);
  links.set('privacy-review', privacy.link);
  const invoke = handlerInvoker('source');
  // The answer last: a reply link whose request was given a later task is over (shared/tasks/reply-links.ts).
  const kinds = (Object.keys(TASK_KINDS) as TaskKind[]).sort(
    (a, b) => Number(a === 'answer') - Number(b === 'answer'),
  );
  for (const kind of kinds) {
    if (links.has(kind)) continue;
    await invoke('assign-task', {
      taskToken: `local-a11y-${kind}`,
      requestId,
      kind,
      // The answer page (a reply link to the requester) shows the question a review asked.
      ...(kind === 'answer'
        ? {
            askedBy: 'privacy-review',
            question: { question: 'Which grades use it?', recipient: 'requester' },
          }
        : {}),
      // An incident review names the incident it reviews (none is stored here: the page shows none).
      ...(kind === 'incident-review' ? { incidentId: 'inc-a11y0000000' } : {}),
      timeoutSeconds: 14 * 86_400,
      executionId: `arn:aws:states:us-east-1:000000000000:execution:software-request:${requestId}`,
    });
    const { link } =
      kind === 'answer'
        ? await nextReplyEmail(runtime.baseUrl)
        : await nextTaskEmail(runtime.baseUrl, seen, kind);
    seen.add(link);
    links.set(kind, link);
  }
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('WCAG 2.1 AA (axe-core) on every page', () => {
  it.each(Object.keys(TASK_KINDS) as TaskKind[])('the task page of a %s', async (kind) => {
    await check(`task-${kind}`, async (page) => {
      await page.goto(links.get(kind) as string);
      await page.waitForSelector('main form');
    });
  });

  it.each(PAGES.map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    await check(p.name.replaceAll(/\W+/g, '-'), p.prepare);
  });

  it('the check itself finds what it is for: a timed meta refresh (WCAG 2.2.1) and an unlabelled field', async () => {
    const page = await context.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><head><meta http-equiv="refresh" content="20"><title>Old status</title></head><body><main><h1>Status</h1><input type="text"></main></body></html>',
    );
    const found = await axeViolations(page);
    await page.close();
    expect(found).toEqual([
      expect.stringMatching(/^label \(critical\)/),
      expect.stringMatching(/^meta-refresh \(critical\)/),
    ]);
  });

  it('the status page updates itself without reloading (WCAG 2.2.1), can be paused, and stays accessible', async () => {
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    await page.clock.install();
    await page.goto(`${site}/requests/${requestId}`);
    await page.waitForSelector('#pause-updates:not([hidden])');
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await expect(page.locator('#live-status').getAttribute('aria-live')).resolves.toBe('polite');

    // The privacy review finds the policy unacceptable (SOP 4): the request is not approved.
    const task = await context.newPage();
    await task.goto(links.get('privacy-review') as string);
    await task.check('input[name="decision"][value="unacceptable"]');
    await task.check('input[name="studentDataRequired"][value="no"]');
    await task.fill('#vendorContactEmail', 'privacy@tidetables.example');
    await task.fill('#decidedBy', 'Chris Park (Cybersecurity)');
    await task.fill('#comment', 'The policy allows selling student data.');
    await Promise.all([task.waitForSelector('h1:has-text("recorded")'), task.click('button[type="submit"]')]);
    await check('task-recorded', async (p) => void (await p.goto(task.url())));
    await task.close();
    await pollUntil(
      async () =>
        (await (
          await fetch(`${runtime.baseUrl}/requests/${requestId}`, { headers: { accept: 'application/json' } })
        ).json()) as {
          status: string;
        },
      (view) => (view.status === 'DENIED' ? view : undefined),
      { what: `request ${requestId} to be DENIED` },
    );

    // Paused, the page does not change; resumed, the next update shows the news in place.
    await page.click('#pause-updates');
    await expect(page.locator('#pause-updates').getAttribute('aria-pressed')).resolves.toBe('true');
    await page.clock.runFor(60_000);
    await expect(page.locator('#live-status .badge').textContent()).resolves.toBe('In review');
    await page.click('#pause-updates');
    await page.clock.runFor(21_000);
    await page.waitForSelector('#live-status .badge:has-text("Not approved")');
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await expect(page.locator('#pause-updates').isHidden()).resolves.toBe(true);
    await screenshot(page, 'a11y-status-updated');
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();

    await check('status-denied', async (p) => void (await p.goto(`${site}/requests/${requestId}`)));
  });
});
