/**
 * An in-process transport for the handlers' AWS SDK clients: when the handlers run from source in the
 * runtime's own process, a call is handed to the local server's request listener (dynalite, the AWS
 * stand-ins, the SES proxy) as the same bytes it would send over loopback, and the answer comes back
 * as the same bytes; only the socket, the HTTP parsing on both ends and the connection pool are left
 * out. The SDK still builds, signs, retries and parses every call as it does against AWS.
 *
 * Why: CPU profiles of the bench (docs/operations.md "Where the time goes") showed the loopback HTTP
 * of the handlers' AWS calls (client and server side) as about a sixth of the runtime's CPU.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import { Readable, Writable } from 'node:stream';
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';
import { keysOf } from '#shared/core/guards.ts';

/** What the SDK asks of a request handler (@smithy/types HttpHandler, without its config methods' types). */
export interface InProcessHandler {
  readonly metadata: { handlerProtocol: string };
  handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

/** A node request as a server listener reads it: headers, method, url, then the body as a stream. */
class LocalRequest extends Readable {
  readonly headers: IncomingHttpHeaders;
  readonly headersDistinct: Record<string, string[]>;
  readonly rawHeaders: string[];
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly socket = { remoteAddress: '127.0.0.1', remotePort: 0, encrypted: false };

  constructor(
    readonly method: string,
    readonly url: string,
    headers: Record<string, string>,
    body: Buffer,
  ) {
    super({ read: () => undefined });
    this.headers = {};
    this.headersDistinct = {};
    this.rawHeaders = [];
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      this.headers[key] = value;
      this.headersDistinct[key] = [value];
      this.rawHeaders.push(name, value);
    }
    if (body.length > 0) this.push(body);
    this.push(null);
  }
}

/** A node response as a server listener writes it, kept in memory until it ends. */
class LocalResponse extends Writable {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  private readonly fields = new Map<string, string | string[]>();
  private readonly chunks: Buffer[] = [];

  constructor(private readonly done: (response: HttpResponse) => void) {
    super();
    this.once('finish', () => {
      this.headersSent = true;
      const headers: Record<string, string> = {};
      for (const [name, value] of this.fields)
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      this.done({
        statusCode: this.statusCode,
        headers,
        body: Readable.from([Buffer.concat(this.chunks)]),
      });
    });
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.fields.set(name.toLowerCase(), typeof value === 'number' ? String(value) : [value].flat());
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.fields.get(name.toLowerCase());
  }

  hasHeader(name: string): boolean {
    return this.fields.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.fields.delete(name.toLowerCase());
  }

  writeHead(
    status: number,
    reasonOrHeaders?: string | Record<string, unknown> | unknown[],
    maybeHeaders?: Record<string, unknown> | unknown[],
  ): this {
    this.statusCode = status;
    const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2)
        this.setHeader(String(headers[i]), String(headers[i + 1]));
    } else if (headers) {
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) continue;
        this.setHeader(name, Array.isArray(value) ? value.map(String) : String(value));
      }
    }
    this.headersSent = true;
    return this;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.headersSent = true;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    callback();
  }
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new TypeError('The in-process AWS transport cannot send this kind of request body');
}

function pathWithQuery(request: HttpRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value === null || value === undefined) query.append(name, '');
    else for (const v of [value].flat()) query.append(name, v);
  }
  const text = query.toString().replaceAll('+', '%20');
  return text ? `${request.path}?${text}` : request.path;
}

function refused(request: HttpRequest): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${request.hostname}:${request.port ?? ''}`), {
    code: 'ECONNREFUSED',
  });
}

/** A request handler for an SDK client that answers through `server`'s listeners, in this process. */
export function inProcessHandler(server: Server): InProcessHandler {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request, options) {
      const body = await bodyBytes(request.body);
      if (options?.abortSignal?.aborted) {
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
      }
      const response = await new Promise<HttpResponse>((resolve, reject) => {
        const req = new LocalRequest(request.method, pathWithQuery(request), request.headers, body);
        const res = new LocalResponse(resolve);
        res.once('error', reject);
        // Answered on a later turn, as a socket would: the caller never runs inside the server's code.
        setImmediate(() => {
          // A stopped server refuses the call, as its closed port did (a stopped dynalite would throw).
          if (!server.listening) reject(refused(request));
          else server.emit('request', req, res);
        });
      });
      return { response };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
}

/** The handlers' clients (shared/core/aws/clients.ts) by the environment variable of their endpoint. */
const CLIENT_ENDPOINTS = {
  dynamoDb: 'AWS_ENDPOINT_URL_DYNAMODB',
  ses: 'AWS_ENDPOINT_URL_SES',
  sfn: 'AWS_ENDPOINT_URL_SFN',
  scheduler: 'AWS_ENDPOINT_URL_SCHEDULER',
  eventBridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  secretsManager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  cognito: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
  s3: 'AWS_ENDPOINT_URL_S3',
} as const;

/** A local server as the handlers reach it: its URL (their endpoint) and the server itself. */
type Reachable = { handlerUrl: string; handlerServer: Server } | { url: string; server: Server };

/**
 * Points each client of the handlers loaded from source at the in-process server behind its endpoint
 * (by URL); a client whose endpoint the caller changed to something else keeps its network transport.
 * Returns what puts the previous transports back (at stop: a client used after it fails as before,
 * with a refused connection, instead of reaching a closed server).
 */
export async function useInProcessTransport(
  env: Record<string, string | undefined>,
  reachable: readonly Reachable[],
): Promise<() => Promise<void>> {
  const servers = new Map(
    reachable.map((r) => ('handlerUrl' in r ? [r.handlerUrl, r.handlerServer] : [r.url, r.server])),
  );
  // Imported here, after the handlers: the clients read their endpoints from the environment.
  const clients = await import('#shared/core/aws/clients.ts');
  const restore: (() => void)[] = [];
  for (const name of keysOf(CLIENT_ENDPOINTS)) {
    const url = env[CLIENT_ENDPOINTS[name]];
    const server = url === undefined ? undefined : servers.get(url);
    if (!server) continue;
    const { config } = clients[name];
    const previous = config.requestHandler;
    config.requestHandler = inProcessHandler(server);
    restore.push(() => {
      config.requestHandler = previous;
    });
  }
  return async () => {
    for (const undo of restore) undo();
  };
}
