/**
 * The registry's search page in a real browser with JavaScript switched off (SOP 6 and 16: staff look
 * a resource up before requesting it): type a word's beginning, pick a status, page forward and back,
 * open a resource's own page, and find the CSV download for the TXSPA upload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import type { RegistryEntry } from '#shared/workflow/records.ts';
import { openRuntimeStore } from '../support/runtime-store.ts';
import { launchChromium, screenshot, watchPageProblems } from './helpers.ts';

let runtime: LocalRuntime;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;

const entry = (name: string, vendorName: string, status: RegistryEntry['status']): RegistryEntry => ({
  resourceId: resourceIdOf({ name, vendorName }),
  resourceName: name,
  vendorName,
  status,
  statusDate: '2026-10-01T00:00:00.000Z',
  source: 'imported',
  ...(status === 'APPROVED' ? { dpaExpiresOn: '2027-09-30' } : { reason: 'Not approved (imported): no DPA' }),
});

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'browser-registry-'));
  runtime = await startLocalRuntime({ port: 0, dataDir });
  const { store, close } = openRuntimeStore(runtime);
  // 60 Approved "Mathématiques" resources (more than one page), one Not Approved, one of another subject.
  for (let i = 0; i < 60; i++) {
    await store.putRegistryEntry(
      entry(`Mathématiques ${String(i).padStart(2, '0')}`, 'Édu Numérique', 'APPROVED'),
    );
  }
  await store.putRegistryEntry(entry('Math Blaster', 'Blaster Learning', 'NOT_APPROVED'));
  await store.putRegistryEntry(entry('Storyline', 'SAG-AFTRA Foundation', 'APPROVED'));
  close();
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the registry search page, without JavaScript', () => {
  it('searches by a word beginning and status, pages forward and back, and opens a resource page', async () => {
    const page = await context.newPage();
    const problems = watchPageProblems(page);

    // Search: "MATH" (any case) with status Approved finds the 60 Mathématiques, not Math Blaster
    await page.goto(`${runtime.baseUrl}/registry`);
    await page.fill('#q', 'MATH');
    await page.selectOption('#status', 'APPROVED');
    await Promise.all([page.waitForURL(/q=MATH/), page.click('button[type=submit]')]);
    const firstNames = await page.locator('tbody th').allTextContents();
    expect(firstNames).toHaveLength(50);
    expect(firstNames[0]).toBe('Mathématiques 00');
    expect(firstNames).not.toContain('Math Blaster');
    await expect(page.inputValue('#q')).resolves.toBe('MATH');
    await screenshot(page, 'registry-01-search');

    // Next page, then back
    await Promise.all([page.waitForURL(/cursor=/), page.click('a[rel=next]')]);
    await expect(page.locator('tbody th').allTextContents()).resolves.toEqual(
      Array.from({ length: 10 }, (_, i) => `Mathématiques ${50 + i}`),
    );
    await page.click('a[rel=prev]');
    await expect(page.locator('tbody th').first().textContent()).resolves.toBe('Mathématiques 00');

    // Not Approved only: Math Blaster, with its reason
    await page.selectOption('#status', 'NOT_APPROVED');
    await Promise.all([page.waitForURL(/status=NOT_APPROVED/), page.click('button[type=submit]')]);
    await expect(page.locator('tbody th').allTextContents()).resolves.toEqual(['Math Blaster']);

    // The resource's page
    await page.click('tbody th a');
    await expect(page.locator('h1').textContent()).resolves.toBe('Math Blaster');
    await expect(page.locator('main').textContent()).resolves.toContain('Not approved (imported): no DPA');
    await screenshot(page, 'registry-02-resource');

    // The CSV download link keeps the search
    await page.goto(`${runtime.baseUrl}/registry?q=story`);
    await expect(page.locator('a[download]').getAttribute('href')).resolves.toBe('/registry.csv?q=story');
    expect(problems).toEqual([]);
  });
});
