/**
 * SOP 1–2, the form hint, in a real browser against the local runtime: as the requester types the
 * resource name, the form lists the registry entries that match (`GET /registry?q=` as JSON) with
 * their status, and says an Approved resource's vetting *may* be reused. With JavaScript off the form
 * is the plain form: it still submits, and its registry link opens the registry search.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime.ts';
import { NO_MATCH_TEXT, REUSE_HINT } from '#shared/registry/pages/registry-matches.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import type { RegistryEntry } from '#shared/workflow/records.ts';
import { openRuntimeStore } from '../support/runtime-store.ts';
import { launchChromium, screenshot, watchPageProblems } from './helpers.ts';

let runtime: LocalRuntime;
let browser: Browser;
let withScripts: BrowserContext;
let withoutScripts: BrowserContext;
let dataDir: string;
let site: string;

const entry = (
  name: string,
  vendorName: string,
  status: RegistryEntry['status'],
  evidence: Partial<RegistryEntry> = {},
): RegistryEntry => ({
  resourceId: resourceIdOf({ name, vendorName }),
  resourceName: name,
  vendorName,
  status,
  statusDate: '2026-10-01T00:00:00.000Z',
  source: 'imported',
  ...(status === 'NOT_APPROVED' ? { reason: 'Not approved (imported): no DPA' } : {}),
  ...evidence,
});

const STORYLINE = entry('Storyline Online', 'SAG-AFTRA Foundation', 'APPROVED', {
  dpaExpiresOn: '2027-09-30',
  sslGrade: 'A+',
});

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'browser-registry-matches-'));
  runtime = await startLocalRuntime({ port: 0, dataDir });
  site = (runtime.env.PUBLIC_BASE_URL ?? runtime.baseUrl).replace(/\/+$/, '');
  const { store, close } = openRuntimeStore(runtime);
  await store.putRegistryEntry(STORYLINE);
  await store.putRegistryEntry(entry('Math Blaster', 'Blaster Learning', 'NOT_APPROVED'));
  // More matches than the form lists (5): the rest are one link away.
  for (let i = 1; i <= 7; i++) {
    await store.putRegistryEntry(entry(`Geometry Pad ${i}`, 'Shape Labs', 'APPROVED'));
  }
  close();
  withScripts = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  withScripts.setDefaultTimeout(15_000);
  withoutScripts = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 1100, height: 900 },
    locale: 'en-US',
  });
  withoutScripts.setDefaultTimeout(15_000);
}, 60_000);

afterAll(async () => {
  await withScripts?.close();
  await withoutScripts?.close();
  await browser?.close();
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const region = (page: Page) => page.locator('#registry-matches');
const names = (page: Page) => page.locator('#registry-matches li > a').allTextContents();

/** Types like a person (one key at a time, so the script sees each input) after clearing the box. */
async function typeName(page: Page, text: string): Promise<void> {
  await page.fill('#resourceName', '');
  await page.locator('#resourceName').pressSequentially(text, { delay: 20 });
}

describe('the request form lists matching registry entries as the name is typed (JavaScript on)', () => {
  it('shows an Approved match with its status, evidence and a working link; Not Approved; none; at most 5', async () => {
    const page = await withScripts.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${site}/`);
    await expect(region(page).getAttribute('aria-live')).resolves.toBe('polite');

    // An Approved resource, by the beginning of a word of its name, any case
    await typeName(page, 'STORY');
    await page.waitForSelector('#registry-matches li');
    await expect(names(page)).resolves.toEqual(['Storyline Online']);
    const item = await page.locator('#registry-matches li').textContent();
    expect(item).toContain('SAG-AFTRA Foundation');
    expect(item).toContain('Active/Approved');
    expect(item).toContain('DPA expires 2027-09-30');
    expect(item).toContain('SSL grade A+');
    await expect(region(page).textContent()).resolves.toContain(REUSE_HINT);
    await screenshot(page, 'registry-matches-01-approved');

    // "Use this name and vendor" fills both fields with the registry's spelling
    await page.fill('#vendorName', 'sag aftra');
    await page.click('#registry-matches li button');
    await expect(page.inputValue('#resourceName')).resolves.toBe('Storyline Online');
    await expect(page.inputValue('#vendorName')).resolves.toBe('SAG-AFTRA Foundation');

    // A Not Approved one says so, with no evidence shown
    await typeName(page, 'math bl');
    await page.waitForSelector('#registry-matches li:has-text("Math Blaster")');
    await expect(names(page)).resolves.toEqual(['Math Blaster']);
    const blaster = await page.locator('#registry-matches li').textContent();
    expect(blaster).toContain('Not Approved');
    expect(blaster).not.toContain('Active/Approved');
    expect(blaster).not.toContain('DPA expires');

    // Nothing matches
    await typeName(page, 'zzqx');
    await page.waitForSelector(`#registry-matches p:has-text("${NO_MATCH_TEXT}")`);
    await expect(page.locator('#registry-matches li').count()).resolves.toBe(0);

    // Shorter than 2 characters: the region is emptied
    await typeName(page, 'z');
    await expect(region(page).textContent()).resolves.toBe('');

    // More matches than shown: 5, then a link to all of them
    await typeName(page, 'geometry');
    await page.waitForSelector('#registry-matches li');
    await expect(names(page)).resolves.toEqual([1, 2, 3, 4, 5].map((i) => `Geometry Pad ${i}`));
    await expect(
      page.locator('#registry-matches a:has-text("All matches in the registry")').getAttribute('href'),
    ).resolves.toBe('/registry?q=geometry');

    // The resource's link opens its registry page
    await typeName(page, 'storyline');
    await page.waitForSelector('#registry-matches li:has-text("Storyline Online")');
    await Promise.all([
      page.waitForURL(`**/registry/${STORYLINE.resourceId}`),
      page.click('#registry-matches li > a'),
    ]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Storyline Online');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('ignores a stale answer and a failed one: the list always matches the last search, the form keeps working', async () => {
    const page = await withScripts.newPage();
    const problems = watchPageProblems(page);
    let releaseSlow: () => void = () => undefined;
    const slowReleased = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    await page.route('**/registry?q=*', async (route) => {
      const q = new URL(route.request().url()).searchParams.get('q');
      if (q === 'story') {
        // The first search answers only after the second has been shown.
        await slowReleased;
        await route.continue().catch(() => undefined);
      } else if (q === 'broken') {
        await route.fulfill({ status: 500, contentType: 'application/json', body: '{"message":"boom"}' });
      } else if (q === 'garbled') {
        await route.fulfill({ status: 200, contentType: 'application/json', body: 'not json' });
      } else {
        await route.continue();
      }
    });
    await page.goto(`${site}/`);

    await Promise.all([page.waitForRequest((r) => r.url().includes('q=story')), typeName(page, 'story')]);
    await typeName(page, 'math');
    await page.waitForSelector('#registry-matches li:has-text("Math Blaster")');
    releaseSlow();
    await page.waitForTimeout(500);
    await expect(names(page)).resolves.toEqual(['Math Blaster']);

    for (const q of ['broken', 'garbled']) {
      await Promise.all([page.waitForResponse((r) => r.url().includes(`q=${q}`)), typeName(page, q)]);
      await page.waitForTimeout(100);
      await expect(region(page).textContent(), q).resolves.toBe('');
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('the request form without JavaScript', () => {
  it('has a registry link that opens the registry search, and still submits', async () => {
    const page = await withoutScripts.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${site}/`);

    // The registry link works without scripts
    await Promise.all([page.waitForURL(/\/registry$/), page.click('text=Search the resource registry')]);
    await page.fill('#q', 'story');
    await Promise.all([page.waitForURL(/q=story/), page.click('main button[type=submit]')]);
    await expect(page.locator('tbody th').allTextContents()).resolves.toEqual(['Storyline Online']);

    // The form: typing the name lists nothing (no script), and the request is submitted as before
    await page.goto(`${site}/`);
    await page.fill('#requesterName', 'Maria Lopez');
    await page.fill('#requesterEmail', 'maria.lopez@district.example');
    await page.fill('#principal', 'Dr. Ann Smith');
    await page.fill('#resourceName', 'Storyline Online');
    await page.fill('#vendorName', 'SAG-AFTRA Foundation');
    await page.check('#resourceKind-application');
    await page.check('#requestType-instructional');
    await page.fill('#cost', '0');
    await page.fill('#paymentResponsibility', 'None: the resource is free');
    await page.fill('#budgetCode', '199-11-6399-00-101-0-00');
    await page.fill('#gradeLevels', 'K, 1, 2');
    await page.fill('#contentAreas', 'Reading');
    await page.fill('#teksAddressed', '110.2(b)(1)(A)');
    await page.fill('#commonCoreAlignment', 'RL.K.1: key details of a story read aloud.');
    await page.fill('#studentUseVision', 'Students listen to stories read aloud and retell them.');
    await page.check('#mediaReleaseRequired-no');
    await page.check('#studentLoginRequired-no');
    await page.check('#studentDataShared-no');
    await expect(region(page).textContent()).resolves.toBe('');
    await Promise.all([page.waitForURL(/\/requests\/SR-[\w-]+$/), page.click('button[type="submit"]')]);
    const requestId = /\/requests\/(SR-[\w-]+)$/.exec(page.url())?.[1];
    await expect(page.locator('h1').textContent()).resolves.toBe(`Request ${requestId}`);
    await screenshot(page, 'registry-matches-02-no-js-submitted');
    expect(problems).toEqual([]);
    await page.close();
  });
});
