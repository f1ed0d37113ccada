/**
 * The vendor-page fetcher against real HTTP servers: a tiny vendor site on 127.0.0.1 for the direct
 * path (AWS), reached through a test name the injected resolver maps to 127.0.0.1, and the vendors'-web
 * stand-in for the local path.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '#local/http-server.ts';
import { closeServer, listen } from '#local/net.ts';
import { VendorWeb, vendorWebRoutes } from '#local/web-stand-in.ts';
import {
  type HostResolver,
  type VendorPageFetcherOptions,
  type VendorPageResult,
  vendorPageConfig,
  vendorPageFetcher,
} from '#shared/evidence/vendor-page.ts';

const FETCHED_AT = new Date('2026-12-05T09:30:00.000Z');
const MIB = 1024 * 1024;
const POLICY_HTML = `<!doctype html><html><head><title>Privacy Policy</title>
<script>track("visit")</script><style>p { color: red }</style></head>
<body><h1>Privacy&nbsp;Policy</h1><p>We never sell
  student data &amp; we delete it on request.</p><ul><li>Encrypted at rest</li><li>Encrypted in transit</li></ul></body></html>`;
const POLICY_TEXT =
  'Privacy Policy\nPrivacy Policy\nWe never sell student data & we delete it on request.\nEncrypted at rest\nEncrypted in transit';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

const page =
  (body: string | Buffer, contentType = 'text/html; charset=utf-8', status = 200): Route =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  };
const redirect =
  (location: string, status = 301): Route =>
  (_req, res) => {
    res.writeHead(status, { Location: location });
    res.end();
  };

/** /hop/N redirects to /hop/N-1 (a relative Location); /hop/0 is the policy. */
const hop: Route = (req, res) => {
  const n = Number(req.url?.split('/')[2]);
  if (n === 0) return page(POLICY_HTML)(req, res);
  return redirect(`/hop/${n - 1}`, n % 2 === 0 ? 302 : 308)(req, res);
};

const ROUTES: Record<string, Route> = {
  '/privacy': page(POLICY_HTML),
  '/terms.txt': page('Terms\r\n\r\n  Be  kind.  ', 'text/plain'),
  '/meta-charset': page(
    // 0x93 and 0x94 are curly quotes in windows-1252 (and nothing readable in UTF-8).
    Buffer.concat([
      Buffer.from('<meta charset="windows-1252"><p>'),
      Buffer.from([0x93]),
      Buffer.from('Fair'),
      Buffer.from([0x94, 0x20]),
      Buffer.from('use</p>'),
    ]),
    'text/html',
  ),
  '/latin1': page(Buffer.from('<p>Caf\u00e9 policy</p>', 'latin1'), 'text/html; charset=ISO-8859-1'),
  '/policy.pdf': page('%PDF-1.7', 'application/pdf'),
  '/no-type': (_req, res) => res.end('<p>untyped</p>'),
  '/gone': page('<h1>Not here</h1>', 'text/html', 404),
  '/broken': page('<h1>Oops</h1>', 'text/html', 500),
  '/loop/a': redirect('/loop/b'),
  '/loop/b': redirect('/loop/a'),
  '/self': redirect('/self'),
  '/anchor': redirect('/anchor#again'),
  '/to-metadata': redirect('http://169.254.169.254/latest/meta-data/'),
  '/to-ftp': redirect('ftp://files.vendor.test/policy'),
  '/exactly-2mib': page('a'.repeat(2 * MIB), 'text/plain'),
  '/declared-too-large': page('a'.repeat(2 * MIB + 1), 'text/plain'),
  '/streamed-too-large': (_req, res) => {
    // Chunked, no Content-Length: the size is only known as the body arrives.
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    for (let i = 0; i < 3; i += 1) res.write('a'.repeat(MIB));
    res.end();
  },
  '/slow-answer': () => undefined,
  '/slow-body': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.write('<p>first half');
  },
};

let site: { port: number; requests: string[]; close(): Promise<void> };
let closedPort: number;

beforeAll(async () => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    const route = path.startsWith('/hop/') ? hop : ROUTES[path];
    (route ?? page('<h1>Not Found</h1>', 'text/html', 404))(req, res);
  });
  site = { port: await listen(server, 0), requests, close: () => closeServer(server) };
  const unused = createServer();
  closedPort = await listen(unused, 0);
  await closeServer(unused);
});
afterAll(() => site.close());

const VENDOR = 'policy.vendor.test';
const toLoopback: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }];
const at = (path: string) => `http://${VENDOR}:${site.port}${path}`;

/** The direct path, with the test name mapped to the local site and 127.0.0.1 allowed for it. */
function direct(options: VendorPageFetcherOptions = {}) {
  return vendorPageFetcher({
    now: () => FETCHED_AT,
    resolveHost: toLoopback,
    connectAllowed: (address) => address === '127.0.0.1',
    ...options,
  });
}

function failed(result: VendorPageResult) {
  if (result.ok) throw new Error(`expected a failure, got the page of ${result.finalUrl}`);
  return result;
}

function fetched(result: VendorPageResult) {
  if (!result.ok) throw new Error(`expected the page, got ${result.code}: ${result.message}`);
  return result;
}

/** Requests the site received while `act` ran. */
async function requestsDuring(act: () => Promise<unknown>): Promise<string[]> {
  const before = site.requests.length;
  await act();
  return site.requests.slice(before);
}

describe('a vendor page fetched directly', () => {
  it('keeps the readable text, its hash and the size of the body', async () => {
    const result = fetched(await direct().fetch(at('/privacy')));
    expect(result).toMatchObject({
      ok: true,
      url: at('/privacy'),
      finalUrl: at('/privacy'),
      fetchedAt: FETCHED_AT.toISOString(),
      status: 200,
      contentType: 'text/html; charset=utf-8',
      text: POLICY_TEXT,
      bytes: Buffer.byteLength(POLICY_HTML),
    });
    expect(result.sha256).toBe(createHash('sha256').update(POLICY_TEXT).digest('hex'));
  });

  it('reads plain text as text, and a Latin-1 page in its charset', async () => {
    expect(fetched(await direct().fetch(at('/terms.txt'))).text).toBe('Terms\nBe kind.');
    expect(fetched(await direct().fetch(at('/latin1'))).text).toBe('Caf\u00e9 policy');
    expect(fetched(await direct().fetch(at('/meta-charset'))).text).toBe('\u201cFair\u201d use');
  });

  it('refuses by default a name that resolves to a private address, before connecting', async () => {
    const fetcher = vendorPageFetcher({ resolveHost: toLoopback });
    const requests = await requestsDuring(async () => {
      const result = failed(await fetcher.fetch(at('/privacy')));
      expect(result.code).toBe('private-address');
      expect(result.message).toContain('127.0.0.1');
    });
    expect(requests).toEqual([]);
  });

  it('checks the DNS answers of an https address too (the refusal comes before any TLS)', async () => {
    const fetcher = vendorPageFetcher({ resolveHost: toLoopback });
    const requests = await requestsDuring(async () => {
      expect(failed(await fetcher.fetch(`https://${VENDOR}:${site.port}/privacy`)).code).toBe(
        'private-address',
      );
    });
    expect(requests).toEqual([]);
    // Allowed to connect, the https request reaches the plain-HTTP site and fails its TLS handshake.
    expect(failed(await direct().fetch(`https://${VENDOR}:${site.port}/privacy`)).code).toBe('network-error');
  });

  it('refuses a name when any of its DNS answers is private, even with a public one first', async () => {
    const fetcher = vendorPageFetcher({
      resolveHost: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
    });
    expect(failed(await fetcher.fetch('https://rebinding.vendor.test/privacy')).code).toBe('private-address');
  });

  it.each([
    'http://127.0.0.1:PORT/privacy',
    'http://10.0.0.5/privacy',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:PORT/privacy',
    'http://[::ffff:127.0.0.1]:PORT/privacy',
    'http://2130706433:PORT/privacy',
    'http://localhost:PORT/privacy',
    'http://LOCALHOST.:PORT/privacy',
    'http://admin.localhost:PORT/privacy',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://printer.local/',
  ])('refuses %s without a request or a DNS lookup', async (address) => {
    const lookups: string[] = [];
    const fetcher = direct({
      resolveHost: async (host) => {
        lookups.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    const requests = await requestsDuring(async () => {
      const result = failed(await fetcher.fetch(address.replace('PORT', String(site.port))));
      expect(result.code).toBe('private-address');
    });
    expect(requests).toEqual([]);
    expect(lookups).toEqual([]);
  });

  it.each([
    'ftp://files.vendor.test/policy',
    'file:///etc/passwd',
    'not an address',
    'http://user:secret@policy.vendor.test/privacy',
  ])('refuses %s as an invalid address', async (address) => {
    expect(failed(await direct().fetch(address)).code).toBe('invalid-address');
  });

  it('follows a chain of 5 redirects and refuses a 6th', async () => {
    const five = fetched(await direct().fetch(at('/hop/5')));
    expect(five.finalUrl).toBe(at('/hop/0'));
    expect(five.text).toBe(POLICY_TEXT);
    const requests = await requestsDuring(async () => {
      expect(failed(await direct().fetch(at('/hop/6'))).code).toBe('too-many-redirects');
    });
    expect(requests).toEqual(['/hop/6', '/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  it('refuses a redirect loop, and a page that redirects to itself', async () => {
    const loop = failed(await direct().fetch(at('/loop/a')));
    expect(loop.code).toBe('redirect-loop');
    expect(loop.message).toContain(at('/loop/a'));
    expect(failed(await direct().fetch(at('/self'))).code).toBe('redirect-loop');
    expect(failed(await direct().fetch(at('/anchor#top'))).code).toBe('redirect-loop');
  });

  it('checks every hop again: a redirect to the metadata service or to ftp is refused', async () => {
    expect(failed(await direct().fetch(at('/to-metadata'))).code).toBe('private-address');
    expect(failed(await direct().fetch(at('/to-ftp'))).code).toBe('invalid-address');
  });

  it('keeps a page of exactly 2 MiB and refuses one byte more, declared or streamed', async () => {
    expect(fetched(await direct().fetch(at('/exactly-2mib'))).bytes).toBe(2 * MIB);
    const declared = failed(await direct().fetch(at('/declared-too-large')));
    expect(declared).toMatchObject({ code: 'too-large', message: expect.stringContaining('2 MiB') });
    expect(failed(await direct().fetch(at('/streamed-too-large'))).code).toBe('too-large');
  });

  it('gives up when the site does not answer, or stops halfway, within the time allowed', async () => {
    const quick = direct({ timeoutMs: 100 });
    const silent = failed(await quick.fetch(at('/slow-answer')));
    expect(silent).toMatchObject({ code: 'timeout', message: expect.stringContaining('0.1 seconds') });
    expect(failed(await quick.fetch(at('/slow-body'))).code).toBe('timeout');
  });

  it('answers http-error for a 404 or a 500', async () => {
    const gone = failed(await direct().fetch(at('/gone')));
    expect(gone).toMatchObject({ code: 'http-error', message: expect.stringContaining('404') });
    expect(failed(await direct().fetch(at('/broken'))).message).toContain('500');
  });

  it('refuses a PDF or a page of no stated type as unsupported content', async () => {
    const pdf = failed(await direct().fetch(at('/policy.pdf')));
    expect(pdf).toMatchObject({
      code: 'unsupported-content',
      message: expect.stringContaining('application/pdf'),
    });
    expect(failed(await direct().fetch(at('/no-type'))).code).toBe('unsupported-content');
  });

  it('answers network-error when nothing listens, or the name does not resolve', async () => {
    const refused = failed(await direct().fetch(`http://${VENDOR}:${closedPort}/privacy`));
    expect(refused).toMatchObject({
      code: 'network-error',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    const unknown = direct({
      resolveHost: () => Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' })),
    });
    expect(failed(await unknown.fetch(at('/privacy'))).code).toBe('network-error');
  });
});

describe('vendorPageConfig', () => {
  it('reads the stand-in from VENDOR_WEB_STAND_IN, and fetches directly without it', () => {
    expect(vendorPageConfig({ VENDOR_WEB_STAND_IN: 'http://localhost:3000/_local/web' })).toEqual({
      standInUrl: 'http://localhost:3000/_local/web',
    });
    expect(vendorPageConfig({})).toEqual({});
  });

  it('fails fast, naming the variable, on an address that is not http(s)', () => {
    expect(() => vendorPageConfig({ VENDOR_WEB_STAND_IN: 'localhost:3000' })).toThrow(/VENDOR_WEB_STAND_IN/);
  });
});

describe('a vendor page fetched through the local stand-in', () => {
  let dataDir: string;
  let web: VendorWeb;
  const standInRequests: string[] = [];
  let stop: () => Promise<void>;
  let standInUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vendor-page-'));
    web = new VendorWeb(dataDir);
    const server = createHttpServer({
      invoke: () => Promise.reject(new Error('no handlers here')),
      localRoutes: vendorWebRoutes(web),
      accessLog: (line) => standInRequests.push(line),
    });
    const port = await listen(server, 0);
    standInUrl = `http://127.0.0.1:${port}/_local/web`;
    stop = () => closeServer(server);
  });
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const viaStandIn = (options: VendorPageFetcherOptions = {}) =>
    vendorPageFetcher({ standInUrl, now: () => FETCHED_AT, ...options });

  it('reads the page the stand-in keeps for the address, following its redirects', async () => {
    web.set('https://www.vendor.example/privacy', {
      kind: 'page',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: POLICY_HTML,
    });
    web.set('http://vendor.example/privacy', {
      kind: 'redirect',
      redirectTo: 'https://www.vendor.example/privacy',
    });
    const result = fetched(await viaStandIn().fetch('http://vendor.example/privacy'));
    expect(result).toMatchObject({
      url: 'http://vendor.example/privacy',
      finalUrl: 'https://www.vendor.example/privacy',
      text: POLICY_TEXT,
    });
  });

  it('answers http-error for an address nobody set', async () => {
    const result = failed(await viaStandIn().fetch('https://nobody.vendor.example/privacy'));
    expect(result).toMatchObject({ code: 'http-error', message: expect.stringContaining('404') });
  });

  it('still refuses private addresses, loops and large pages, without asking the stand-in for them', async () => {
    const before = standInRequests.length;
    expect(failed(await viaStandIn().fetch('http://169.254.169.254/latest/meta-data/')).code).toBe(
      'private-address',
    );
    expect(standInRequests.length).toBe(before);
    web.set('https://loop.vendor.example/a', {
      kind: 'redirect',
      redirectTo: 'https://loop.vendor.example/b',
    });
    web.set('https://loop.vendor.example/b', {
      kind: 'redirect',
      redirectTo: 'https://loop.vendor.example/a',
    });
    expect(failed(await viaStandIn().fetch('https://loop.vendor.example/a')).code).toBe('redirect-loop');
    web.set('https://big.vendor.example/', {
      kind: 'page',
      status: 200,
      contentType: 'text/plain',
      body: 'a'.repeat(101),
    });
    expect(failed(await viaStandIn({ maxBytes: 100 }).fetch('https://big.vendor.example/')).code).toBe(
      'too-large',
    );
  });
});
