/**
 * The local HTTP front door. Routes of shared/functions.ts become API Gateway REST proxy events for the
 * same handlers that run behind API Gateway on AWS (and their responses become HTTP responses); the
 * `/_local/*` routes belong to the local runtime only (outbox, clock, events, executions).
 *
 * Access logs never include query strings: task links carry their secret there (docs/design.md).
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { asError, errorName } from '#shared/core/errors.ts';
import { fieldOf } from '#shared/core/guards.ts';
import { FUNCTIONS, routesOf } from '#shared/functions.ts';
import { LOCAL_ACCOUNT, LOCAL_ROUTE_THROTTLES } from './config.ts';
import type { LocalRoute, SimpleRequest, SimpleResponse } from './http-types.ts';
import { executionViewRoutes } from './pages/executions.ts';
import { RouteThrottle } from './route-throttle.ts';

export type { LocalRoute, SimpleRequest, SimpleResponse } from './http-types.ts';

/**
 * Calls the HTTP function `name` (lambdas/<name>.ts) with an API Gateway proxy event; what it returns is
 * checked as API Gateway checks it (proxyResultOf).
 */
export type HttpInvoker = (name: string, event: APIGatewayProxyEvent) => Promise<unknown>;

const headerValueSchema = z.union([z.string(), z.number(), z.boolean()]);
const proxyResultSchema: z.ZodMiniType<APIGatewayProxyResult> = z.looseObject({
  statusCode: z.number(),
  headers: z.optional(z.record(z.string(), headerValueSchema)),
  multiValueHeaders: z.optional(z.record(z.string(), z.array(headerValueSchema))),
  body: z.string(),
  isBase64Encoded: z.optional(z.boolean()),
});

/** A function's answer as a proxy result; anything else API Gateway answers with 502, as a failure. */
function proxyResultOf(name: string, answer: unknown): APIGatewayProxyResult {
  const parsed = proxyResultSchema.safeParse(answer);
  if (parsed.success) return parsed.data;
  throw new Error(`${name} answered a malformed proxy result: ${z.prettifyError(parsed.error)}`);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimpleResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body, null, 2),
  };
}

export async function readBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> {
  return (await readRawBody(req, limit)).toString('utf8');
}

/** The body's bytes, undecoded (a binary upload survives). Past `limit` bytes: a 413 error. */
export async function readRawBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += bytes.length;
    if (size > limit) throw Object.assign(new Error('Request body too large'), { status: 413 });
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** A node request as the local routes and the AWS stand-ins see it, once its body is read. */
export function simpleRequestOf(
  req: IncomingMessage,
  url: URL,
  body: string,
  params: Record<string, string> = {},
): SimpleRequest {
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    params,
  };
}

export function writeResponse(res: ServerResponse, response: SimpleResponse): void {
  res.writeHead(response.status, response.headers ?? {});
  res.end(response.raw ?? response.body ?? '');
}

interface CompiledRoute<T> {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  target: T;
}

export function compileRoute<T>(method: string, template: string, target: T): CompiledRoute<T> {
  const names: string[] = [];
  const pattern = template
    .split('/')
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (param?.[1]) {
        names.push(param[1]);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method, template, regex: new RegExp(`^${pattern}$`), names, target };
}

export function matchRoute<T>(
  routes: readonly CompiledRoute<T>[],
  method: string,
  path: string,
): { route: CompiledRoute<T>; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route, params };
  }
  return undefined;
}

/** API Gateway REST API proxy integration event for one node request. */
export function toProxyEvent(
  req: IncomingMessage,
  body: string,
  match: { template: string; params: Record<string, string> },
  url: URL,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values) continue;
    headers[name] = values[values.length - 1] ?? '';
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const hasQuery = Object.keys(query).length > 0;
  const hasParams = Object.keys(match.params).length > 0;
  const method = req.method ?? 'GET';
  const now = Date.now();
  return {
    resource: match.template,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: hasParams ? match.params : null,
    stageVariables: null,
    body: body.length > 0 ? body : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      authorizer: undefined,
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: match.template,
      stage: 'local',
    },
  };
}

/** Back from the proxy result to HTTP, as API Gateway does. */
export function fromProxyResult(result: APIGatewayProxyResult): SimpleResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, values] of Object.entries(result.multiValueHeaders ?? {})) {
    // Set-Cookie cannot be folded into one line (cookie dates hold commas): one header per value.
    headers[k] = k.toLowerCase() === 'set-cookie' ? values.map(String) : values.map(String).join(', ');
  }
  const body = result.body ?? '';
  return result.isBase64Encoded
    ? { status: result.statusCode, headers, raw: Buffer.from(body, 'base64') }
    : { status: result.statusCode, headers, body };
}

/** A whole path prefix handed to a node handler that reads its own request (the local OpenID provider). */
export interface Mount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface HttpServerOptions {
  invoke: HttpInvoker;
  mounts?: readonly Mount[];
  /** Checked before a local route answers (set once the runtime knows its mode): a refusal, or undefined. */
  gate?: { check?: (request: SimpleRequest) => Promise<SimpleResponse | undefined> };
  localRoutes: readonly LocalRoute[];
  /** Called once per request with method, path (never the query string), status and duration. */
  accessLog?: (line: string) => void;
  /** `as-deployed`: the per-route throttles API Gateway applies (shared/route-throttles.ts); default off. */
  limits?: 'as-deployed' | 'off';
}

/** The server for the product's HTTP API plus the local-only routes. Unknown route: 404. */
export function createHttpServer(options: HttpServerOptions): Server {
  const apiRoutes = FUNCTIONS.flatMap((fn) =>
    routesOf(fn).map((route) => compileRoute(route.method, route.path, fn.name)),
  );
  const localRoutes = options.localRoutes.map((r) => compileRoute(r.method, r.path, r));
  // The auditors' HTML views (GET /executions, /executions/{name}) over the local JSON routes, in-process.
  const fetchLocal = async (path: string, query: URLSearchParams) => {
    const m = matchRoute(localRoutes, 'GET', path);
    return m?.route.target.handle({ method: 'GET', path, query, headers: {}, body: '', params: m.params });
  };
  localRoutes.push(...executionViewRoutes(fetchLocal).map((r) => compileRoute(r.method, r.path, r)));
  const throttle = new RouteThrottle(options.limits === 'as-deployed' ? LOCAL_ROUTE_THROTTLES : {});

  return createServer((req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const done = (status: number) =>
      options.accessLog?.(`${method} ${url.pathname} ${status} ${Date.now() - started}ms`);

    void (async () => {
      try {
        const mount = options.mounts?.find((m) => url.pathname.startsWith(`${m.prefix}/`));
        if (mount) {
          res.once('finish', () => done(res.statusCode));
          await mount.handle(req, res);
          return;
        }
        const body = await readBody(req);
        const api = matchRoute(apiRoutes, method, url.pathname);
        if (api && !throttle.take(`${method} ${api.route.template}`)) {
          // What API Gateway answers when a method's bucket is empty: the function never runs.
          writeResponse(res, json(429, { message: 'Too Many Requests' }));
          done(429);
          return;
        }
        if (api) {
          const event = toProxyEvent(req, body, { template: api.route.template, params: api.params }, url);
          let response: ReturnType<typeof fromProxyResult>;
          try {
            const answer = await options.invoke(api.route.target, event);
            response = fromProxyResult(proxyResultOf(api.route.target, answer));
          } catch (error) {
            // What API Gateway answers when the function itself fails (not a handled error).
            console.error(
              `[local] ${api.route.target} failed: ${errorName(error)}: ${asError(error).message}`,
            );
            response = json(502, { message: 'Internal server error' });
          }
          res.writeHead(response.status, response.headers ?? {});
          res.end(response.raw ?? response.body ?? '');
          done(response.status);
          return;
        }
        const local = matchRoute(localRoutes, method, url.pathname);
        if (local) {
          const request = simpleRequestOf(req, url, body, local.params);
          const response =
            (await options.gate?.check?.(request)) ?? (await local.route.target.handle(request));
          writeResponse(res, response);
          done(response.status);
          return;
        }
        writeResponse(res, json(404, { message: `No route for ${method} ${url.pathname}` }));
        done(404);
      } catch (error) {
        const given = fieldOf(error, 'status');
        const status = typeof given === 'number' ? given : 500;
        if (status >= 500) console.error(`[local] ${method} ${url.pathname}: ${asError(error).message}`);
        if (!res.headersSent) writeResponse(res, json(status, { message: asError(error).message }));
        else res.end();
        done(status);
      }
    })();
  });
}
