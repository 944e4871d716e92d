/**
 * Long synchronous work (a big batch's roll-up, encoding its tiles) split into slices of about
 * `sliceMs`: {@link TurnBudget.pass} yields to the event loop once a slice is used up, so sockets
 * (acks, live fan-out) are served in between without paying a turn per item.
 */
export class TurnBudget {
  private since = performance.now();

  constructor(private readonly sliceMs = 4) {}

  /** Resolves at once within the slice; after a turn of the event loop once it is used up. */
  async pass(): Promise<void> {
    if (performance.now() - this.since < this.sliceMs) return;
    await new Promise<void>((r) => setImmediate(r));
    this.since = performance.now();
  }
}
