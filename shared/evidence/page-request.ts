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

/** Charsets that are Latin-1 or a subset of it: readable as Latin-1 if this node lacks their decoder. */
const LATIN1 = new Set(['iso-8859-1', 'latin1', 'l1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii']);

/** The body as text in the charset the Content-Type names; UTF-8 when it names none or one unknown. */
export function decodeBody(body: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  try {
    // WHATWG labels: ISO-8859-1 and ASCII are read as windows-1252, as browsers read them.
    return new TextDecoder(charset).decode(body);
  } catch {
    return LATIN1.has(charset) ? body.toString('latin1') : new TextDecoder('utf-8').decode(body);
  }
}
