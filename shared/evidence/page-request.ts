/**
 * One GET of a vendor's address, on node:http/https (not fetch: only node's requests take the `lookup`
 * hook that checks every DNS answer at connect time). Directly on AWS; locally through the vendors'-web
 * stand-in, which answers for the vendor's address: the caller treats both answers alike, so every
 * check but DNS runs the same offline.
 */
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** How requests leave: to the vendor, connecting only where the lookup allows, or to the stand-in. */
export type PageRoute = { kind: 'direct'; lookup: LookupFunction } | { kind: 'stand-in'; standInUrl: URL };

/** Redirect statuses that carry a Location to follow. */
export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const ACCEPT = 'text/html, application/xhtml+xml;q=0.9, text/plain;q=0.8';
// Compressed bodies would need inflating under the size limit; a plain one is simpler to bound.
const ACCEPT_ENCODING = 'identity';
const USER_AGENT = 'district-software-review/1.0 (privacy policy snapshot)';

/** The answer's head; its body is still unread on `body`. */
export function requestPage(target: URL, route: PageRoute, signal: AbortSignal): Promise<IncomingMessage> {
  const address = route.kind === 'direct' ? target : standInAddress(route.standInUrl, target);
  const send = address.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      address,
      {
        method: 'GET',
        headers: { Accept: ACCEPT, 'Accept-Encoding': ACCEPT_ENCODING, 'User-Agent': USER_AGENT },
        // A fresh connection per request: a pooled socket would skip the lookup that checked its address.
        agent: false,
        signal,
        ...(route.kind === 'direct' ? { lookup: route.lookup } : {}),
      },
      resolve,
    );
    request.once('error', reject);
    request.end();
  });
}

function standInAddress(standInUrl: URL, target: URL): URL {
  const address = new URL(standInUrl);
  address.searchParams.set('url', target.href);
  return address;
}

/** Thrown by `readBodyWithin` when the body passes the limit; the connection is closed at once. */
export class PageTooLargeError extends Error {
  override name = 'PageTooLargeError';
}

/** The body, read as it streams and cut off as soon as it passes `maxBytes`. */
export async function readBodyWithin(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new PageTooLargeError(`The page declares ${declared} bytes, over the ${maxBytes} allowed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > maxBytes) {
      response.destroy();
      throw new PageTooLargeError(`The page is over the ${maxBytes} bytes allowed`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** The labels browsers read as windows-1252 (WHATWG Encoding): ISO-8859-1 and ASCII among them. */
const WINDOWS_1252 = new Set(['iso-8859-1', 'latin1', 'l1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii']);

/**
 * windows-1252's characters at 0x80-0x9F (where ISO-8859-1 has control codes; the five it leaves
 * undefined stay as they are). Decoded here rather than by TextDecoder: node 20's decoder reads these
 * bytes as ISO-8859-1, newer ones do not, and the same page must give the same text (and hash) on both.
 */
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(body: Buffer): string {
  return body
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/**
 * The charset a page declares: in its Content-Type, else (HTML) in a `<meta charset>` or
 * `<meta http-equiv="Content-Type">` within the first 1024 bytes, where browsers look for it.
 */
function declaredCharset(body: Buffer, contentType: string): string | undefined {
  const fromHeader = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType)?.[1];
  if (fromHeader || !/html/i.test(contentType)) return fromHeader;
  const head = body.subarray(0, 1024).toString('latin1');
  return /<meta\b[^>]*?charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
}

/** The body as text in the charset the page declares; UTF-8 when it declares none or one unknown. */
export function decodeBody(body: Buffer, contentType: string): string {
  const charset = declaredCharset(body, contentType)?.toLowerCase() ?? 'utf-8';
  if (WINDOWS_1252.has(charset)) return decodeWindows1252(body);
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
