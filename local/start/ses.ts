/**
 * SES: aws-ses-v2-local, in-process (its web page lists the mail, with only the first address of each
 * recipient list for SES v1 sends). Its store is module-wide: it is cleared at start. The outbox
 * (local/outbox.ts, <dataDir>/outbox.jsonl) records every email as the handlers sent it, every
 * address included, from the SES proxy in front of this server (local/runtime.ts).
 */

import type { Server } from 'node:http';
import * as sesLocal from 'aws-ses-v2-local';
import { fieldOf } from '#shared/core/guards.ts';
import { closeServer, portOf, type Served } from '../net.ts';

export async function startSes(port: number): Promise<Served> {
  const server = await startSesServer(port);
  const bound = portOf(server);
  const url = `http://127.0.0.1:${bound}`;
  const started = { url, port: bound, server, close: () => closeServer(server) };
  try {
    await fetch(`${url}/clear-store`, { method: 'POST' });
  } catch (error) {
    await started.close();
    throw error;
  }
  return started;
}

async function startSesServer(port: number): Promise<Server> {
  // Under tsx the default import is an object holding `default`; under vitest the function itself.
  const m: unknown = sesLocal;
  const candidates = [fieldOf(m, 'default'), fieldOf(fieldOf(m, 'default'), 'default'), m];
  // A runtime check sees only a function; its signature is the one the package's index.d.ts declares.
  const startFn = candidates.find((c) => typeof c === 'function') as
    | ((config: { host: string; port: number }) => Promise<Server>)
    | undefined;
  if (!startFn) throw new Error('aws-ses-v2-local: no start function found');
  const quiet = console.log;
  // It announces itself on stdout; the runtime prints its own URLs.
  console.log = () => undefined;
  try {
    return await startFn({ host: '127.0.0.1', port });
  } finally {
    console.log = quiet;
  }
}
