/** The HTTP edge: pages keep working on the API Gateway stage URL (…/prod/…) and behind a custom domain. */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { basePath, type HttpEvent, htmlResponse, httpHandler, jsonResponse } from '#shared/http/edge.ts';

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
});
