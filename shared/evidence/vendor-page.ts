/**
 * A vendor's public web page (its privacy policy), fetched safely, so the product can keep a snapshot of
 * the policy Cybersecurity reviewed and later watch it for changes. The address comes from a requester
 * or a vendor, so the fetch is guarded: public http(s) hosts only (checked by name, by literal address,
 * and by every DNS answer at connect time), redirects followed one hop at a time and checked again, a
 * size limit on the streamed body, one deadline for the whole fetch, text pages only.
 *
 * A vendor's fault (a dead site, a redirect loop, a PDF) is an answer, `{ ok: false, code, message }`,
 * never a throw: the message is for Cybersecurity, in plain words.
 *
 * Locally (no internet) every fetch goes to the vendors'-web stand-in (`standInUrl`, the handlers'
 * VENDOR_WEB_STAND_IN); its answer is read as the vendor's, so every check but DNS still applies.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Env, httpUrlEnv } from '../core/env.ts';
import {
  decodeBody,
  type PageRoute,
  PageTooLargeError,
  REDIRECT_STATUSES,
  readBodyWithin,
  requestPage,
} from './page-request.ts';
import { pageText } from './page-text.ts';
import {
  checkedLookup,
  type HostResolver,
  PrivateAddressError,
  privateHostProblem,
  systemResolver,
} from './public-address.ts';

export { pageText } from './page-text.ts';
export type { HostResolver } from './public-address.ts';

export interface VendorPageSnapshot {
  url: string;
  /** Where the page was found after redirects. */
  finalUrl: string;
  fetchedAt: string;
  status: number;
  contentType: string;
  /** Readable text: markup removed (pageText). */
  text: string;
  /** Hex SHA-256 of `text`. */
  sha256: string;
  /** Size of the body as received. */
  bytes: number;
}

export type VendorPageFailureCode =
  | 'invalid-address'
  | 'private-address'
  | 'too-many-redirects'
  | 'redirect-loop'
  | 'too-large'
  | 'timeout'
  | 'http-error'
  | 'unsupported-content'
  | 'network-error';

export interface VendorPageFailure {
  url: string;
  fetchedAt: string;
  code: VendorPageFailureCode;
  /** Plain-language, for Cybersecurity. */
  message: string;
}

export type VendorPageResult = ({ ok: true } & VendorPageSnapshot) | ({ ok: false } & VendorPageFailure);

export interface VendorPageFetcher {
  /** Never throws for the vendor's faults: those are `{ ok: false }` answers. */
  fetch(url: string): Promise<VendorPageResult>;
}

export interface VendorPageFetcherOptions {
  /** The vendors'-web stand-in (local runtime: VENDOR_WEB_STAND_IN); unset on AWS: fetch directly. */
  standInUrl?: string;
  now?: () => Date;
  /** Default 2 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** For the whole fetch, redirects included; default 10 s. */
  timeoutMs?: number;
  /** Direct fetches: how host names resolve (default node's resolver, as on Lambda). Tests map names. */
  resolveHost?: HostResolver;
  /**
   * Direct fetches: which resolved addresses may be connected to; default public ones only
   * (isPublicAddress). Only tests widen it, to reach a server on 127.0.0.1 through a test name; the
   * literal-address check before each request does not use it.
   */
  connectAllowed?: (address: string) => boolean;
}

/**
 * The fetcher's settings from the handler's environment, read once at load: VENDOR_WEB_STAND_IN, set
 * by the local runtime only (on AWS it must stay unset: every fetch would go to that server instead).
 */
export function vendorPageConfig(env: Env = process.env): Pick<VendorPageFetcherOptions, 'standInUrl'> {
  return env.VENDOR_WEB_STAND_IN?.trim() ? { standInUrl: httpUrlEnv('VENDOR_WEB_STAND_IN', env) } : {};
}

export const VENDOR_PAGE_DEFAULTS = {
  maxBytes: 2 * 1024 * 1024,
  maxRedirects: 5,
  timeoutMs: 10_000,
} as const;

/** The media types kept as text; anything else (PDF, images) is unsupported for now. */
const TEXT_TYPES = new Set(['text/html', 'text/plain', 'application/xhtml+xml']);

/** A refusal on the way, turned into the failure answer at the top. */
class VendorPageError extends Error {
  override name = 'VendorPageError';
  readonly code: VendorPageFailureCode;
  constructor(code: VendorPageFailureCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

interface Settings {
  route: PageRoute;
  maxBytes: number;
  maxRedirects: number;
  timeoutMs: number;
}

export function vendorPageFetcher(options: VendorPageFetcherOptions = {}): VendorPageFetcher {
  const now = options.now ?? (() => new Date());
  const settings: Settings = {
    route: options.standInUrl
      ? { kind: 'stand-in', standInUrl: new URL(options.standInUrl) }
      : {
          kind: 'direct',
          lookup: checkedLookup(options.resolveHost ?? systemResolver, options.connectAllowed),
        },
    maxBytes: options.maxBytes ?? VENDOR_PAGE_DEFAULTS.maxBytes,
    maxRedirects: options.maxRedirects ?? VENDOR_PAGE_DEFAULTS.maxRedirects,
    timeoutMs: options.timeoutMs ?? VENDOR_PAGE_DEFAULTS.timeoutMs,
  };
  return {
    async fetch(url) {
      const fetchedAt = now().toISOString();
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), settings.timeoutMs);
      try {
        return { ok: true, ...(await fetchPage(url, settings, deadline.signal)), url, fetchedAt };
      } catch (error) {
        const failure = failureOf(error, deadline.signal.aborted, settings);
        return { ok: false, url, fetchedAt, ...failure };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The snapshot but for `url` and `fetchedAt`, which the caller knows. */
type PageFound = Omit<VendorPageSnapshot, 'url' | 'fetchedAt'>;

async function fetchPage(url: string, settings: Settings, signal: AbortSignal): Promise<PageFound> {
  const visited = new Set<string>();
  let target = vendorAddress(url);
  for (let redirects = 0; ; redirects += 1) {
    visited.add(target.href);
    const response = await requestPage(target, settings.route, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(status) || !location) return await pageOf(target, response, settings);
    response.destroy();
    const next = vendorAddress(location, target);
    if (visited.has(next.href)) {
      throw new VendorPageError(
        'redirect-loop',
        `The vendor's site redirects in a circle: ${target.href} sends the browser back to ${next.href}, which was already visited. The page was not fetched.`,
      );
    }
    if (redirects >= settings.maxRedirects) {
      throw new VendorPageError(
        'too-many-redirects',
        `The vendor's site redirected more than ${settings.maxRedirects} times (the last to ${next.href}); the district stops there. The page was not fetched.`,
      );
    }
    target = next;
  }
}

/** An address the district may fetch (relative ones resolved against `base`), or a refusal. */
function vendorAddress(address: string, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(address, base);
  } catch (error) {
    throw new VendorPageError('invalid-address', `"${address}" is not a web address.`, { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new VendorPageError(
      'invalid-address',
      `${parsed.href} is not a web page address: only http:// and https:// addresses are fetched.`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new VendorPageError(
      'invalid-address',
      `The address ${parsed.host} carries a user name or password; a public policy page needs neither.`,
    );
  }
  // A fragment never reaches the server: /a#top and /a#end are one address (and one visit, for loops).
  parsed.hash = '';
  const problem = privateHostProblem(parsed.hostname);
  if (problem) throw new VendorPageError('private-address', `${problem} Nothing was fetched.`);
  return parsed;
}

async function pageOf(target: URL, response: IncomingMessage, settings: Settings): Promise<PageFound> {
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.destroy();
    const reason = response.statusMessage ? ` (${response.statusMessage})` : '';
    throw new VendorPageError(
      'http-error',
      `The vendor's site answered ${status}${reason} for ${target.href} instead of the page.`,
    );
  }
  const contentType = response.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!TEXT_TYPES.has(mediaType)) {
    response.destroy();
    throw new VendorPageError(
      'unsupported-content',
      `${target.href} is ${mediaType ? `a ${mediaType} document` : 'a document of no stated type'}, not a web page; the district keeps text and HTML pages only (a PDF policy must be saved by hand for now).`,
    );
  }
  const body = await readBodyWithin(response, settings.maxBytes);
  const text = pageText(decodeBody(body, contentType), contentType);
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  return { finalUrl: target.href, status, contentType, text, sha256, bytes: body.length };
}

const MIB = 1024 * 1024;

function sizeInWords(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

/** The answer for a fetch that stopped: a refusal keeps its words; anything from the network is named. */
function failureOf(
  error: unknown,
  timedOut: boolean,
  settings: Settings,
): Pick<VendorPageFailure, 'code' | 'message'> {
  if (error instanceof VendorPageError) return { code: error.code, message: error.message };
  if (timedOut) {
    return {
      code: 'timeout',
      message: `The vendor's site did not send the whole page within ${settings.timeoutMs / 1000} seconds.`,
    };
  }
  if (error instanceof PageTooLargeError) {
    return {
      code: 'too-large',
      message: `The page is larger than ${sizeInWords(settings.maxBytes)}, more than a privacy policy needs; it was not kept.`,
    };
  }
  if (error instanceof PrivateAddressError) {
    return {
      code: 'private-address',
      message: `${error.hostname} points at a private or internal network address (${error.address}), not a public website. Nothing was fetched.`,
    };
  }
  if (isNetworkError(error)) {
    return {
      code: 'network-error',
      message: `The vendor's site could not be reached (${error.code ?? error.message}).`,
    };
  }
  throw error;
}

/** What node reports when a connection fails: a system error with a code, or a reset stream. */
function isNetworkError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && ('code' in error || error.message === 'aborted');
}
