/** Listening and closing for the local runtime's servers, and the shape every starter returns. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started piece of the runtime: where it answers and how to stop it. */
export interface Started {
  url: string;
  close(): Promise<void>;
}

/** A started HTTP server: also its port, and the server itself (the handlers may call it in-process). */
export type Served = Started & { port: number; server: Server };

/** Listens on 127.0.0.1:`port` (0: a free port) and resolves with the port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePort(portOf(server));
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}

/** Listens and returns the server as a started piece: `http://127.0.0.1:<port>` and its close. */
export async function serve(server: Server, port: number): Promise<Served> {
  const bound = await listen(server, port);
  return { url: `http://127.0.0.1:${bound}`, port: bound, server, close: () => closeServer(server) };
}

/** The TCP port a listening server got (a pipe or a closed server has none). */
export function portOf(server: { address(): AddressInfo | string | null }): number {
  return addressOf(server).port;
}

/** The TCP address a listening server got. */
export function addressOf(server: { address(): AddressInfo | string | null }): AddressInfo {
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('The server is not listening on a TCP port');
  return address;
}
