/**
 * The request and response shapes shared by the local HTTP server, its local routes (pages included)
 * and the AWS stand-ins. Types only: anything may import this file without an import circle.
 */
import type { IncomingMessage } from 'node:http';

/** A request as the local routes and the AWS stand-ins see it: body already read. */
export interface SimpleRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /**
   * The body's bytes, as they came. Only the AWS stand-ins' server sets it: `body` is those bytes
   * decoded as UTF-8, which mangles a binary upload (the S3 stand-in reads `raw`).
   */
  raw?: Buffer;
  params: Record<string, string>;
}

export interface SimpleResponse {
  status: number;
  /** A list for a header sent once per value (Set-Cookie). */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** A binary body (an S3 object), sent instead of `body`. */
  raw?: Uint8Array;
}

export interface LocalRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path template such as `/_local/executions/{name}`. */
  path: string;
  handle(request: SimpleRequest): Promise<SimpleResponse> | SimpleResponse;
}
