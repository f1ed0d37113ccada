/**
 * A fault-injecting HTTP proxy for the reliability tests (`LocalRuntimeOptions.faults`): it stands
 * between the handlers and dynalite or the SES server. For each request it reads the operation and asks
 * the predicate; on true it answers as AWS does when it throttles, otherwise it forwards the request
 * unchanged and streams the answer back.
 */

import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { asError } from '#shared/core/errors.ts';
import type { SimpleResponse } from './http-types.ts';
import { type Served, type Started, serve } from './net.ts';

/** Decides, per operation (`PutItem`, `SendEmail`, …), whether this call fails. */
export type FaultPredicate = (operation: string) => boolean;

/** How a service names the operation of a request, and how it answers a throttled one. */
export interface FaultProtocol {
  operationOf(req: IncomingMessage, body: Buffer): string;
  throttled(req: IncomingMessage): SimpleResponse;
}

/** DynamoDB (AWS JSON 1.0): `X-Amz-Target: DynamoDB_20120810.PutItem`; throttled as ThrottlingException. */
export const DYNAMODB_FAULTS: FaultProtocol = {
  operationOf: (req) => String(req.headers['x-amz-target'] ?? '').replace(/^.*\./, ''),
  throttled: () => ({
    status: 400,
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
      message: 'Rate of requests exceeds the allowed throughput.',
    }),
  }),
};

/**
 * SES: v1 (the AWS Query protocol of `@aws-sdk/client-ses`, as shared/core/mail/ses-mailer.ts calls it:
 * `POST /` with `Action=SendEmail` in the form body) answers an XML `Throttling` error; v2 (REST-JSON,
 * `POST /v2/email/outbound-emails`) a 429 TooManyRequestsException.
 */
export const SES_FAULTS: FaultProtocol = {
  operationOf: (req, body) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith('/v2/')) return path === '/v2/email/outbound-emails' ? 'SendEmail' : path;
    return new URLSearchParams(body.toString('utf8')).get('Action') ?? path;
  },
  throttled: (req) => ((req.url ?? '').startsWith('/v2/') ? sesV2Throttled() : sesV1Throttled()),
};

function sesV1Throttled(): SimpleResponse {
  const requestId = randomUUID();
  return {
    status: 400,
    headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId },
    body:
      '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">' +
      '<Error><Type>Sender</Type><Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error>' +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function sesV2Throttled(): SimpleResponse {
  return {
    status: 429,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      'x-amzn-ErrorType': 'TooManyRequestsException',
    },
    body: JSON.stringify({ message: 'Maximum sending rate exceeded.' }),
  };
}

export interface FaultProxyOptions {
  /** Where requests go when they are not failed, e.g. dynalite's `http://127.0.0.1:<port>`. */
  target: string;
  protocol: FaultProtocol;
  fail: FaultPredicate;
  /** 0: a free port. */
  port?: number;
  /**
   * Runs after the target accepted a call (2xx) and before the caller hears so: the local SES keeps
   * each email on disk by then, so a crash can never lose mail a handler was told was sent. It gets the
   * call as sent and as answered (the outbox reads an email's recipients from the request itself).
   */
  afterSuccess?: AfterSuccess;
}

/** A call the target accepted: its path, the request body as sent and the answer's body. */
export interface AcceptedCall {
  path: string;
  request: Buffer;
  answer: Buffer;
}

export type AfterSuccess = (operation: string, call: AcceptedCall) => Promise<void>;

async function relayAfter(
  answer: IncomingMessage,
  operation: string,
  sent: { path: string; request: Buffer },
  afterSuccess: AfterSuccess,
  res: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(Buffer.from(chunk));
  const status = answer.statusCode ?? 502;
  const body = Buffer.concat(chunks);
  try {
    if (status >= 200 && status < 300) await afterSuccess(operation, { ...sent, answer: body });
    res.writeHead(status, answer.headers);
    res.end(body);
  } catch (error) {
    // Not kept, so not sent: the caller retries, as it would after any 5xx.
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`Could not keep the result: ${asError(error).message}`);
  }
}

/** Starts the proxy; its `url` is what the handlers get instead of the target's. */
export function startFaultProxy(options: FaultProxyOptions): Promise<Served> {
  const target = new URL(options.target);
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      const operation = options.protocol.operationOf(req, body);
      if (options.fail(operation)) {
        const answer = options.protocol.throttled(req);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
        return;
      }
      const upstream = httpRequest(
        {
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          if (!options.afterSuccess) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            return;
          }
          void relayAfter(
            answer,
            operation,
            { path: req.url ?? '/', request: body },
            options.afterSuccess,
            res,
          );
        },
      );
      upstream.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`Fault proxy: ${error.message}`);
      });
      upstream.end(body);
    })().catch(() => res.destroy());
  });
  return serve(server, options.port ?? 0);
}

/**
 * A started service and where the handlers call it (a fault proxy in front of it, or itself): its
 * address, and the server behind that address (for the in-process transport, local/aws/in-process.ts).
 */
export type ForHandlers = Started & {
  port: number;
  handlerUrl: string;
  handlerPort: number;
  handlerServer: Server;
};

/**
 * Starts a service for the handlers: on `handlerPort` itself, or, with a fault predicate, on a free
 * port behind a fault proxy that takes `handlerPort`.
 */
export async function behindFaults(
  startReal: (port: number) => Promise<Served>,
  handlerPort: number,
  protocol: FaultProtocol,
  fail: FaultPredicate | undefined,
  afterSuccess?: AfterSuccess,
): Promise<ForHandlers> {
  if (!fail && !afterSuccess) {
    const real = await startReal(handlerPort);
    return { ...real, handlerUrl: real.url, handlerPort: real.port, handlerServer: real.server };
  }
  const real = await startReal(0);
  try {
    const proxy = await startFaultProxy({
      target: real.url,
      protocol,
      fail: fail ?? (() => false),
      port: handlerPort,
      ...(afterSuccess ? { afterSuccess } : {}),
    });
    return {
      url: real.url,
      port: real.port,
      handlerUrl: proxy.url,
      handlerPort: proxy.port,
      handlerServer: proxy.server,
      close: async () => {
        await proxy.close();
        await real.close();
      },
    };
  } catch (error) {
    await real.close();
    throw error;
  }
}
