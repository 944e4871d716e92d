/**
 * Idempotent consumers. At-least-once delivery means a message can arrive twice (a redelivery after
 * a lost ack, a frame resent by an agent and published by two servers). {@link idempotent} wraps a
 * handler so a message whose id was already handled successfully is dropped; a failed one is not
 * remembered, so its redelivery runs again.
 *
 * The memory is a bounded window of recent ids in this process. Effects that must be exactly-once
 * across restarts also need a database key (e.g. detections by id, frames by node and sequence).
 */
import type { EventName } from './event-map.ts';
import type { Handler } from './bus.ts';

/** Remembers the last `capacity` ids (oldest forgotten first). */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (oldest.done !== true) this.ids.delete(oldest.value);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}

export interface IdempotentOptions {
  readonly seen?: RecentIds;
  /** Called for each dropped duplicate (for a metric). */
  readonly onDuplicate?: (id: string) => void;
}

/** `handler`, run at most once per message id (within the window of `seen`). */
export function idempotent<K extends EventName>(
  handler: Handler<K>,
  options: IdempotentOptions = {},
): Handler<K> {
  const seen = options.seen ?? new RecentIds();
  const running = new Map<string, Promise<void>>();
  return async (payload, meta) => {
    if (seen.has(meta.id)) {
      options.onDuplicate?.(meta.id);
      return;
    }
    // A duplicate arriving while the first copy is still being handled waits for it and shares its outcome.
    const inFlight = running.get(meta.id);
    if (inFlight !== undefined) {
      options.onDuplicate?.(meta.id);
      return inFlight;
    }
    const run = (async () => {
      await handler(payload, meta);
      seen.add(meta.id);
    })();
    running.set(meta.id, run);
    try {
      await run;
    } finally {
      running.delete(meta.id);
    }
  };
}
