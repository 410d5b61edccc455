import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * Starts a fake provider server on a free loopback port and gives the port. Idle connections stay open as the real
 * endpoints keep them (minutes, not Node's 5 s), so a client reusing a pooled socket on a slow machine is not reset
 * mid-request.
 */
export async function listenOnLoopback(server: HttpServer | HttpsServer): Promise<number> {
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
