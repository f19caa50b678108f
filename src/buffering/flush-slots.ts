/**
 * How many buffers are being encoded and uploaded at once, across all datasets. A flush holds
 * memory several times its rows' size while it runs (sorted batch, Arrow IPC, Parquet bytes,
 * request buffers); capping concurrency keeps that transient memory bounded when the budget
 * sheds hundreds of small buffers at once. Waiting flushes keep counting against the budget, so
 * consumption slows down instead.
 */
export class FlushSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }
}
