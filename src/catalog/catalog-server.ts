import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../log/logger.js';
import type { Component } from '../service/lifecycle.js';
import { TukangError } from '../errors/catalogue.js';

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
