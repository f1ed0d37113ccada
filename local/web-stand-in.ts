/**
 * The vendors' web, locally: there is no internet offline, so the pages the product fetches from
 * vendors' sites (their privacy policies, shared/evidence/vendor-page.ts) are set here by hand or by a
 * test, and the fetcher asks this stand-in for them (the handlers' VENDOR_WEB_STAND_IN).
 *
 *   PUT    /_local/web?url=<address>                 body = the page, with the request's Content-Type;
 *                                                     `&status=500` makes the address answer that status
 *   PUT    /_local/web?url=<address>&redirectTo=<b>  the address answers 301 to <b>
 *   DELETE /_local/web?url=<address>                 the address answers 404 from then on
 *   GET    /_local/web?url=<address>                 answers as the vendor's site would
 *   GET    /_local/web                               the addresses set, as JSON
 *
 * Kept in <dataDir>/vendor-web.json, so pages set before a restart are still there after it.
 */
import { join } from 'node:path';
import * as z from 'zod/mini';
import { VENDOR_WEB_PATH } from './config.ts';
import { json } from './http-server.ts';
import type { LocalRoute, SimpleRequest, SimpleResponse } from './http-types.ts';
import { readJsonFile, writeJsonFile } from './json-file.ts';

const pageSchema = z.union([
  z.object({ kind: z.literal('page'), status: z.number(), contentType: z.string(), body: z.string() }),
  z.object({ kind: z.literal('redirect'), redirectTo: z.string() }),
]);
const fileSchema = z.object({ addresses: z.record(z.string(), pageSchema) });

export type VendorWebAnswer = z.infer<typeof pageSchema>;

/** An absolute http(s) address in its one spelling (what the fetcher sends), or undefined. */
function addressOf(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export class VendorWeb {
  private readonly file: string;
  private readonly addresses: Map<string, VendorWebAnswer>;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'vendor-web.json');
    const stored = readJsonFile(this.file, fileSchema, { addresses: {} });
    this.addresses = new Map(Object.entries(stored.addresses));
  }

  /** What `url` answers from now on. */
  set(url: string, answer: VendorWebAnswer): void {
    this.addresses.set(url, answer);
    this.save();
  }

  /** `url` answers 404 from now on; false when it was not set. */
  remove(url: string): boolean {
    const removed = this.addresses.delete(url);
    if (removed) this.save();
    return removed;
  }

  answerFor(url: string): VendorWebAnswer | undefined {
    return this.addresses.get(url);
  }

  list(): { url: string; answer: VendorWebAnswer }[] {
    return [...this.addresses].map(([url, answer]) => ({ url, answer }));
  }

  private save(): void {
    writeJsonFile(this.file, { addresses: Object.fromEntries(this.addresses) });
  }
}

/** The vendor's answer: the page, a redirect, or the 404 of an address nobody set. */
function vendorAnswer(answer: VendorWebAnswer | undefined): SimpleResponse {
  if (!answer) {
    return { status: 404, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: NOT_FOUND_PAGE };
  }
  if (answer.kind === 'redirect') {
    return { status: 301, headers: { Location: answer.redirectTo, 'Content-Type': 'text/plain' }, body: '' };
  }
  return { status: answer.status, headers: { 'Content-Type': answer.contentType }, body: answer.body };
}

const NOT_FOUND_PAGE = '<!doctype html><title>Not Found</title><h1>Not Found</h1>';

function summary({ url, answer }: { url: string; answer: VendorWebAnswer }) {
  return answer.kind === 'redirect'
    ? { url, redirectTo: answer.redirectTo }
    : { url, status: answer.status, contentType: answer.contentType, bytes: Buffer.byteLength(answer.body) };
}

/** What a PUT sets: a page (status 200 unless `status`), or a redirect. */
function answerToSet(request: SimpleRequest): VendorWebAnswer | { error: string } {
  const redirect = request.query.get('redirectTo');
  if (redirect !== null) {
    const redirectTo = addressOf(redirect);
    return redirectTo
      ? { kind: 'redirect', redirectTo }
      : { error: 'redirectTo must be an absolute http(s) address' };
  }
  const status = Number(request.query.get('status') ?? 200);
  if (!Number.isInteger(status) || status < 200 || status > 599 || (status >= 300 && status < 400)) {
    return { error: 'status must be 200-299 or 400-599 (use redirectTo for a redirect)' };
  }
  const given = request.headers['content-type'];
  const contentType = typeof given === 'string' && given ? given : 'text/html; charset=utf-8';
  return { kind: 'page', status, contentType, body: request.body };
}

export function vendorWebRoutes(web: VendorWeb): LocalRoute[] {
  const withAddress =
    (handle: (url: string, request: SimpleRequest) => SimpleResponse) =>
    (request: SimpleRequest): SimpleResponse => {
      const url = addressOf(request.query.get('url'));
      return url ? handle(url, request) : json(400, { error: 'url must be an absolute http(s) address' });
    };
  return [
    {
      method: 'GET',
      path: VENDOR_WEB_PATH,
      handle: (request) =>
        request.query.has('url')
          ? withAddress((url) => vendorAnswer(web.answerFor(url)))(request)
          : json(200, web.list().map(summary)),
    },
    {
      method: 'PUT',
      path: VENDOR_WEB_PATH,
      handle: withAddress((url, request) => {
        const answer = answerToSet(request);
        if ('error' in answer) return json(400, { error: answer.error });
        web.set(url, answer);
        return json(200, summary({ url, answer }));
      }),
    },
    {
      method: 'DELETE',
      path: VENDOR_WEB_PATH,
      handle: withAddress((url) => json(200, { url, removed: web.remove(url) })),
    },
  ];
}
