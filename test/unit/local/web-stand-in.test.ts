/** The vendors' web stand-in as the local runtime serves it: over HTTP, kept across a restart. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handlerEnvironment } from '#local/config.ts';
import { createHttpServer } from '#local/http-server.ts';
import { closeServer, listen } from '#local/net.ts';
import { VendorWeb, vendorWebRoutes } from '#local/web-stand-in.ts';

let dataDir: string;
let running: { base: string; stop(): Promise<void> } | undefined;

/** A stand-in on a free port over `dataDir`, served by the runtime's HTTP server code. */
async function startStandIn() {
  const server = createHttpServer({
    invoke: () => Promise.reject(new Error('no handlers here')),
    localRoutes: vendorWebRoutes(new VendorWeb(dataDir)),
  });
  const port = await listen(server, 0);
  running = { base: `http://127.0.0.1:${port}/_local/web`, stop: () => closeServer(server) };
  return running.base;
}

const at = (base: string, url: string, more = '') => `${base}?url=${encodeURIComponent(url)}${more}`;
const noFollow = { redirect: 'manual' } as const;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'vendor-web-'));
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the vendors web stand-in', () => {
  it('answers a page as it was PUT, with its content type', async () => {
    const base = await startStandIn();
    const put = await fetch(at(base, 'https://vendor.example/privacy'), {
      method: 'PUT',
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: '<h1>Privacy</h1>',
    });
    expect(put.status).toBe(200);
    const answer = await fetch(at(base, 'https://vendor.example/privacy'));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await answer.text()).toBe('<h1>Privacy</h1>');
  });

  it('answers 404 for an address nobody set, and from the moment it is deleted', async () => {
    const base = await startStandIn();
    expect((await fetch(at(base, 'https://vendor.example/never'))).status).toBe(404);
    await fetch(at(base, 'https://vendor.example/privacy'), { method: 'PUT', body: 'Policy' });
    const deleted = await fetch(at(base, 'https://vendor.example/privacy'), { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ url: 'https://vendor.example/privacy', removed: true });
    expect((await fetch(at(base, 'https://vendor.example/privacy'))).status).toBe(404);
  });

  it('answers 301 with a Location for an address set to redirect', async () => {
    const base = await startStandIn();
    await fetch(
      at(
        base,
        'http://vendor.example/privacy',
        `&redirectTo=${encodeURIComponent('https://www.vendor.example/privacy')}`,
      ),
      {
        method: 'PUT',
      },
    );
    const answer = await fetch(at(base, 'http://vendor.example/privacy'), noFollow);
    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe('https://www.vendor.example/privacy');
  });

  it('answers a status set with the page (a vendor site in trouble)', async () => {
    const base = await startStandIn();
    await fetch(at(base, 'https://vendor.example/privacy', '&status=503'), { method: 'PUT', body: 'Down' });
    expect((await fetch(at(base, 'https://vendor.example/privacy'))).status).toBe(503);
  });

  it('lists the addresses set, each in one spelling', async () => {
    const base = await startStandIn();
    await fetch(at(base, 'HTTPS://Vendor.Example/privacy'), {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'Policy',
    });
    await fetch(
      at(
        base,
        'http://vendor.example/',
        `&redirectTo=${encodeURIComponent('https://vendor.example/privacy')}`,
      ),
      {
        method: 'PUT',
      },
    );
    expect(await (await fetch(base)).json()).toEqual([
      { url: 'https://vendor.example/privacy', status: 200, contentType: 'text/plain', bytes: 6 },
      { url: 'http://vendor.example/', redirectTo: 'https://vendor.example/privacy' },
    ]);
  });

  it.each([
    ['PUT', '?url=not-a-url'],
    ['PUT', `?url=${encodeURIComponent('ftp://vendor.example/')}`],
    ['PUT', `?url=${encodeURIComponent('https://vendor.example/')}&redirectTo=elsewhere`],
    ['PUT', `?url=${encodeURIComponent('https://vendor.example/')}&status=302`],
    ['DELETE', ''],
    ['GET', '?url='],
  ])('refuses %s %s with 400', async (method, query) => {
    const base = await startStandIn();
    expect((await fetch(`${base}${query}`, { method })).status).toBe(400);
  });

  it('keeps its pages across a restart, in vendor-web.json', async () => {
    const first = await startStandIn();
    await fetch(at(first, 'https://vendor.example/privacy'), {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'Kept',
    });
    await running?.stop();
    const again = await startStandIn();
    expect(await (await fetch(at(again, 'https://vendor.example/privacy'))).text()).toBe('Kept');
    const file = JSON.parse(readFileSync(join(dataDir, 'vendor-web.json'), 'utf8'));
    expect(file.addresses['https://vendor.example/privacy']).toMatchObject({ kind: 'page', body: 'Kept' });
  });

  it('is where the handlers fetch vendor pages from locally', () => {
    const env = handlerEnvironment({
      baseUrl: 'http://localhost:3000',
      dynamodb: 'http://127.0.0.1:1',
      ses: 'http://127.0.0.1:2',
      aws: 'http://127.0.0.1:3',
      sslLabsApiBase: 'http://127.0.0.1:4/api/v4',
    });
    expect(env.VENDOR_WEB_STAND_IN).toBe('http://localhost:3000/_local/web');
  });
});
