/**
 * Runs one live subscriber's handler on its messages one at a time, in order, with a bounded
 * backlog: when the handler falls behind by more than `limit` messages the oldest waiting ones are
 * dropped (and counted), so a slow subscriber costs bounded memory and never slows the publisher.
 */
export class LiveQueue<T> {
  private readonly backlog: T[] = [];
  private running = false;
  private stopped = false;
  /** Messages dropped because the handler fell behind. */
  dropped = 0;

  constructor(
    /** The handler; one that finishes synchronously returns nothing (no promise to wait for). */
    private readonly run: (item: T) => Promise<void> | undefined,
    private readonly limit: number,
    private readonly onDrop: (dropped: number) => void,
  ) {}

  push(item: T): void {
    if (this.stopped) return;
    this.backlog.push(item);
    if (this.backlog.length > this.limit) {
      this.backlog.shift();
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.onDrop(this.dropped);
    }
    if (!this.running) void this.drain();
  }

  stop(): void {
    this.stopped = true;
    this.backlog.length = 0;
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Yield first so the publisher's call returns before any handler runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!this.stopped && this.backlog.length > 0) {
      const pending = this.run(this.backlog.shift() as T);
      if (pending !== undefined) await pending;
    }
    this.running = false;
  }
}
