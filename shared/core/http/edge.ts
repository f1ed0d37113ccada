/**
 * The HTTP edge: API Gateway proxy events in, responses out. Typed errors become status codes here
 * and nowhere else; a 5xx never shows its internals to the client.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  asError,
  ConflictError,
  errorName,
  type FieldError,
  LinkRefusedError,
  NotFoundError,
  ValidationError,
  WorkflowError,
} from '../errors.ts';
import { scriptsIn } from '../html/page-scripts.ts';
import { logger } from '../logger.ts';

export type HttpEvent = APIGatewayProxyEvent;
export type HttpResponse = APIGatewayProxyResult;

/** Pages and API answers may carry link secrets or personal data: never cache them, never leak the URL. */
const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};
/**
 * A page runs only the declared inline scripts it carries (shared/core/html/page-scripts.ts: the status
 * page's live status, the request form's registry matches), by their hashes; they may fetch from the
 * site itself. A page without one runs no script at all.
 */
export function pageCsp(page: string): string {
  const scripts = scriptsIn(page).map((script) => script.cspSource);
  return `default-src 'none'; script-src ${scripts.join(' ') || "'none'"}; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/** A CSV download: never cached, never sniffed as something else. */
export function csvResponse(
  body: string,
  fileName: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
    body,
  };
}

export function htmlResponse(
  statusCode: number,
  page: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': pageCsp(page),
      ...SECURITY_HEADERS,
      ...headers,
    },
    body: page,
  };
}

export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {}))
    if (k.toLowerCase() === wanted) return v ?? undefined;
  return undefined;
}

/** Browsers ask for text/html first; API clients get JSON. */
export function wantsHtml(event: HttpEvent): boolean {
  const accept = header(event, 'accept') ?? '';
  return /text\/html/.test(accept) && !/^application\/json/.test(accept);
}

/** 200 with the page for a browser, or the JSON for an API client. */
export function pageOrJson(event: HttpEvent, page: () => string, json: unknown): HttpResponse {
  return wantsHtml(event) ? htmlResponse(200, page()) : jsonResponse(200, json);
}

/** Staff pages (the registry): JSON only when asked for (`accept: application/json`), else the page. */
export function pageUnlessJson(event: HttpEvent, page: () => string, json: unknown): HttpResponse {
  const asksJson = /application\/json/.test(header(event, 'accept') ?? '') && !wantsHtml(event);
  return asksJson ? jsonResponse(200, json) : htmlResponse(200, page());
}

export type FormValue = string | string[];

const NOT_UTF8 = 'The request body is not valid UTF-8 text; send it encoded as UTF-8';
/** Decodes strictly: a byte sequence that is not UTF-8 throws instead of becoming U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function notUtf8(cause?: unknown): ValidationError {
  return new ValidationError([{ field: '(body)', message: NOT_UTF8 }], { cause });
}

/**
 * The body as text, never repaired. A base64 body (binary media types) is decoded from its bytes with
 * a fatal decoder. A text body has already been decoded by API Gateway, which turns bytes that are not
 * UTF-8 into U+FFFD: that character (or a lone surrogate) in it means the client sent broken text.
 */
export function bodyText(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  if (event.isBase64Encoded) {
    try {
      return strictUtf8.decode(Buffer.from(event.body, 'base64'));
    } catch (cause) {
      throw notUtf8(cause);
    }
  }
  if (event.body.includes('\uFFFD') || !event.body.isWellFormed()) throw notUtf8();
  return event.body;
}

const isHex = (byte: number | undefined) =>
  byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66));

/**
 * One application/x-www-form-urlencoded name or value: "+" is a space and %XX a byte, and the bytes
 * must be UTF-8. (URLSearchParams would silently turn `%FF` into U+FFFD.)
 */
export function decodeFormComponent(component: string): string {
  const input = Buffer.from(component.replace(/\+/g, ' '), 'utf8');
  const bytes = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] ?? 0;
    if (byte === 0x25 && isHex(input[i + 1]) && isHex(input[i + 2])) {
      bytes[n++] = Number.parseInt(input.subarray(i + 1, i + 3).toString('latin1'), 16);
      i += 2;
    } else bytes[n++] = byte;
  }
  try {
    return strictUtf8.decode(bytes.subarray(0, n));
  } catch (cause) {
    throw notUtf8(cause);
  }
}

/** A form body as a record (repeated keys become arrays); bytes that are not UTF-8 are rejected. */
export function parseForm(raw: string): Record<string, FormValue> {
  const form: Record<string, FormValue> = {};
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const k = decodeFormComponent(at < 0 ? pair : pair.slice(0, at));
    const v = at < 0 ? '' : decodeFormComponent(pair.slice(at + 1));
    const prev = form[k];
    form[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return form;
}

/** JSON bodies as they are; form bodies as a record (repeated keys become arrays). Text must be UTF-8. */
export function parseBody(
  event: HttpEvent,
): { kind: 'json'; value: unknown } | { kind: 'form'; value: Record<string, FormValue> } {
  const raw = bodyText(event);
  const type = (header(event, 'content-type') ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return { kind: 'form', value: parseForm(raw) };
  if (type && !type.startsWith('application/json')) {
    throw new ValidationError([
      { field: '(body)', message: 'Send JSON or an HTML form (application/x-www-form-urlencoded)' },
    ]);
  }
  if (!raw.trim()) throw new ValidationError([{ field: '(body)', message: 'The request body is empty' }]);
  try {
    return { kind: 'json', value: JSON.parse(raw) };
  } catch (cause) {
    throw new ValidationError([{ field: '(body)', message: 'The request body is not valid JSON' }], {
      cause,
    });
  }
}

export interface ErrorView {
  status: number;
  title: string;
  message: string;
  errors?: FieldError[];
}

export function errorView(error: unknown): ErrorView {
  if (error instanceof ValidationError) {
    return { status: 400, title: 'Please correct the request', message: error.message, errors: error.errors };
  }
  if (error instanceof NotFoundError) return { status: 404, title: 'Not found', message: error.message };
  if (error instanceof ConflictError) return { status: 409, title: 'Already done', message: error.message };
  if (error instanceof LinkRefusedError) {
    return { status: error.status, title: error.title, message: error.message };
  }
  // The sign-in refusals (shared/identity/errors.ts) carry their own status and title.
  if (
    error instanceof WorkflowError &&
    'status' in error &&
    typeof error.status === 'number' &&
    error.status < 500
  ) {
    const title = 'title' in error && typeof error.title === 'string' ? error.title : error.name;
    return { status: error.status, title, message: error.message };
  }
  return {
    status: 500,
    title: 'Something went wrong',
    message: 'The request could not be completed. Nothing was lost; please try again later.',
  };
}

/**
 * Wraps an HTTP handler: correlation, and typed errors mapped to JSON (or to an HTML page through
 * `renderErrorPage` for browser routes). Unknown errors are logged by name only and answered with 500.
 */
export function httpHandler(
  fn: (event: HttpEvent) => Promise<HttpResponse>,
  options: { renderErrorPage?: (view: ErrorView) => string } = {},
) {
  return middy<HttpEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => withBasePath(event, await respond(event)));

  async function respond(event: HttpEvent): Promise<HttpResponse> {
    try {
      return await fn(event);
    } catch (error) {
      const view = errorView(error);
      if (view.status >= 500)
        logger.error('Request failed', {
          errorName: errorName(error),
          errorMessage: asError(error).message,
        });
      else logger.info('Request rejected', { status: view.status, errorName: errorName(error) });
      if (options.renderErrorPage && wantsHtml(event))
        return htmlResponse(view.status, options.renderErrorPage(view));
      return jsonResponse(
        view.status,
        view.errors ? { errors: view.errors } : { error: view.title, message: view.message },
      );
    }
  }
}

/**
 * The path prefix in front of the API's routes: `/prod` on the default execute-api URL (the stage),
 * empty behind a custom domain or locally. API Gateway gives the full path in requestContext.path.
 */
export function basePath(event: HttpEvent): string {
  const full = event.requestContext?.path;
  const route = event.path;
  if (!full || !route || full === route || !full.endsWith(route)) return '';
  return full.slice(0, full.length - route.length).replace(/\/+$/, '');
}

/**
 * Pages link to routes root-relative (`href="/registry"`), which is right locally and behind a custom
 * domain; on the stage URL those links must carry the stage. One rewrite here keeps every page simple.
 */
export function withBasePath(event: HttpEvent, response: HttpResponse): HttpResponse {
  const base = basePath(event);
  const type = String(response.headers?.['Content-Type'] ?? '');
  if (!base || !type.startsWith('text/html')) return response;
  return { ...response, body: response.body.replace(/(\s(?:href|action|src)=")\/(?!\/)/g, `$1${base}/`) };
}
