/** The HTTP edge: pages keep working on the API Gateway stage URL (…/prod/…) and behind a custom domain. */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LinkRefusedError } from '#shared/core/errors.ts';
import { errorPage } from '#shared/core/html/layout.ts';
import {
  basePath,
  bodyText,
  decodeFormComponent,
  type HttpEvent,
  htmlResponse,
  httpHandler,
  jsonResponse,
  parseBody,
  parseForm,
} from '#shared/core/http/edge.ts';

const event = (path: string, fullPath: string): HttpEvent =>
  ({
    path,
    httpMethod: 'GET',
    headers: { accept: 'text/html' },
    requestContext: { path: fullPath },
  }) as unknown as HttpEvent;
const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;
const PAGE =
  '<a href="/registry">Registry</a><form action="/requests" method="post"></form><a href="//cdn.example/x">x</a><a href="https://example.org/">e</a>';

describe('HTTP edge', () => {
  it('finds the stage prefix API Gateway puts in front of the route', () => {
    expect(basePath(event('/requests/SR-1', '/prod/requests/SR-1'))).toBe('/prod');
    expect(basePath(event('/', '/prod/'))).toBe('/prod');
    expect(basePath(event('/registry', '/registry'))).toBe('');
    expect(basePath({ path: '/registry' } as HttpEvent)).toBe('');
  });

  it('on the stage URL, root-relative links and form actions in pages carry the stage', async () => {
    const handler = httpHandler(async () => htmlResponse(200, PAGE));
    const res = await handler(event('/requests/SR-1', '/prod/requests/SR-1'), context);
    expect(res.body).toBe(
      '<a href="/prod/registry">Registry</a><form action="/prod/requests" method="post"></form><a href="//cdn.example/x">x</a><a href="https://example.org/">e</a>',
    );
  });

  it('behind a custom domain or locally, pages are unchanged; JSON is never rewritten', async () => {
    const page = httpHandler(async () => htmlResponse(200, PAGE));
    expect((await page(event('/registry', '/registry'), context)).body).toBe(PAGE);
    const json = httpHandler(async () => jsonResponse(200, { link: '/registry' }));
    expect((await json(event('/registry', '/prod/registry'), context)).body).toBe('{"link":"/registry"}');
  });

  it('error pages on the stage URL get the stage too', async () => {
    const handler = httpHandler(
      async () => {
        throw new Error('boom');
      },
      { renderErrorPage: (v) => `<h1>${v.title}</h1><a href="/">Back</a>` },
    );
    const res = await handler(event('/tasks/t1', '/prod/tasks/t1'), context);
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('<h1>Something went wrong</h1><a href="/prod/">Back</a>');
  });

  it("a refused link answers with the refusal's own status, title and message: a page, or JSON", async () => {
    class ParcelLinkRefusedError extends LinkRefusedError<410> {
      override name = 'ParcelLinkRefusedError';
    }
    const handler = httpHandler(
      async () => {
        throw new ParcelLinkRefusedError([410, 'This link has expired', 'Ask for a new link.']);
      },
      { renderErrorPage: errorPage },
    );
    const page = await handler(event('/parcels/p1', '/parcels/p1'), context);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('<h1>This link has expired</h1><p>Ask for a new link.</p>');
    const json = await handler({ ...event('/parcels/p1', '/parcels/p1'), headers: {} }, context);
    expect(json.statusCode).toBe(410);
    expect(JSON.parse(json.body)).toEqual({ error: 'This link has expired', message: 'Ask for a new link.' });
  });
});

describe('request bodies are read as UTF-8, never repaired', () => {
  const NOT_UTF8 = 'The request body is not valid UTF-8 text; send it encoded as UTF-8';
  const problems = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as { errors?: unknown }).errors;
    }
    return undefined;
  };
  const base64 = (bytes: number[]) => ({
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  });

  it('a base64 body is decoded from its bytes with a fatal decoder', () => {
    expect(bodyText(base64([0x5a, 0x6f, 0xc3, 0xab]))).toBe('Zoë');
    for (const bytes of [
      [0xff],
      [0xc3],
      [0xed, 0xa0, 0x80] /* an encoded surrogate */,
      [0xc0, 0xaf] /* overlong */,
    ])
      expect(problems(() => bodyText(base64([0x61, ...bytes])))).toEqual([
        { field: '(body)', message: NOT_UTF8 },
      ]);
  });

  it('a text body with U+FFFD (API Gateway’s mark for bytes it could not read) or a lone surrogate is refused', () => {
    expect(bodyText({ body: '{"a":"Zoë"}', isBase64Encoded: false })).toBe('{"a":"Zoë"}');
    expect(problems(() => bodyText({ body: '{"a":"Zo\ufffd"}', isBase64Encoded: false }))).toEqual([
      { field: '(body)', message: NOT_UTF8 },
    ]);
    expect(problems(() => bodyText({ body: '{"a":"\ud800"}', isBase64Encoded: false }))).toEqual([
      { field: '(body)', message: NOT_UTF8 },
    ]);
    expect(bodyText({ body: null, isBase64Encoded: false })).toBe('');
  });

  it('form values: "+" is a space, %XX are UTF-8 bytes, and bytes that are not UTF-8 are refused (not U+FFFD)', () => {
    expect(decodeFormComponent('Zo%C3%AB+L%C3%B3pez')).toBe('Zoë López');
    expect(decodeFormComponent('100%25+sure')).toBe('100% sure');
    expect(decodeFormComponent('50%+off%zz')).toBe('50% off%zz');
    expect(decodeFormComponent('%F0%9F%98%80')).toBe('😀');
    for (const broken of ['Gr%FFne', '%C3', '%ED%A0%80', '%C0%AF'])
      expect(problems(() => decodeFormComponent(broken))).toEqual([{ field: '(body)', message: NOT_UTF8 }]);
  });

  it('a form body becomes a record, repeated names become lists, like URLSearchParams for valid input', () => {
    const raw = 'a=1&b=x+y&a=2&c&&d=%26%3D';
    expect(parseForm(raw)).toEqual({ a: ['1', '2'], b: 'x y', c: '', d: '&=' });
    const expected: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = expected[k];
      expected[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    expect(parseForm(raw)).toEqual(expected);
  });

  it('parseBody refuses a form whose bytes are not UTF-8', () => {
    const form = {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'principal=Gr%FFne',
      isBase64Encoded: false,
    } as unknown as HttpEvent;
    expect(problems(() => parseBody(form))).toEqual([{ field: '(body)', message: NOT_UTF8 }]);
  });
});
