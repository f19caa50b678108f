import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../log/logger.js';
import type { Component } from '../core/component.js';
import { ERRORS, TukangError } from '../errors/catalogue.js';
import { titleOf } from './problem.js';

/** Serves the catalog app on host:port as a service component. */
export class CatalogServer implements Component {
  readonly name = 'catalog';
  private server: Server | undefined;

  constructor(
    private readonly app: Express,
    private readonly host: string,
    private readonly port: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const server = createServer(this.app);
    answerClientErrors(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new TukangError('CATALOG_LISTEN_FAILED', `catalog cannot listen on ${this.host}:${this.port} (catalog.host/catalog.port): ${err.code ?? err.message}`, {
            cause: err,
          }),
        ),
      );
      server.listen(this.port, this.host, () => {
        server.removeAllListeners('error');
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.logger.info({ url: `http://${address.address}:${address.port}` }, 'catalog listening');
  }

  address(): AddressInfo | undefined {
    return this.server?.address() as AddressInfo | undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Requests Node's HTTP parser refuses before the app sees them (a request line and headers over
 * 16 KiB, or not HTTP at all) get a problem+json answer like every other error, instead of
 * Node's bare status line.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    // 431 is the documented variant of CATALOG_BAD_REQUEST for oversized headers (docs/errors.md).
    const status = tooLarge ? 431 : ERRORS.CATALOG_BAD_REQUEST.status;
    const title = titleOf(status);
    const detail = tooLarge ? 'the request line and headers are larger than 16 KiB' : 'the request is not valid HTTP/1.1';
    const body = JSON.stringify({ type: 'about:blank', status, title, code: 'CATALOG_BAD_REQUEST', detail });
    const head = [`HTTP/1.1 ${status} ${title}`, 'Content-Type: application/problem+json', `Content-Length: ${Buffer.byteLength(body)}`, 'Cache-Control: no-store', 'X-Content-Type-Options: nosniff', 'Connection: close'];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}
