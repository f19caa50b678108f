/** A part of the running service that starts and stops with it (materializer, catalog, ...). */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  /** Stops gracefully: stop taking work, make what is durable durable, release resources. */
  stop(): Promise<void>;
}
