/**
 * The in-process bus: the embedded default, for one server. Messages go through the same codecs as
 * on NATS (so payloads are validated and detached from the publisher's buffers the same way; a
 * codec may say how to skip the round trip, as spectrum frames do), and
 * durable subscriptions keep the at-least-once contract in memory: a handler that throws gets the
 * message again after `redeliveryDelayMs`, up to `maxDeliver` times. Nothing survives a restart.
 * A durable name exists from its first subscription on: while it has no subscriber its messages
 * wait in memory (without bound, as on NATS they wait in the stream).
 *
 * Buses made with the same {@link InProcessHub} see each other's messages, as servers sharing one
 * NATS do (tests use that to run the same suite on both).
 */
import { randomUUID } from 'node:crypto';
import type {
  Bus,
  BusErrorReporter,
  Handler,
  MessageMeta,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './bus.ts';
import { reportToStderr } from './bus.ts';
import { EVENT_CODECS, type EventCodec, type EventMap, type EventName } from './event-map.ts';
import { LiveQueue } from './live-queue.ts';

interface Envelope {
  readonly name: EventName;
  readonly id: string;
  readonly payload: unknown;
}

interface LiveSub {
  readonly name: EventName;
  readonly group: string | undefined;
  readonly queue: LiveQueue<Envelope>;
}

/** Who gets an event's messages: every ungrouped subscriber, and one member of each group. */
interface LiveTargets {
  readonly each: readonly LiveSub[];
  readonly groups: readonly { readonly key: string; readonly members: readonly LiveSub[] }[];
}

interface DurableMember {
  busy: boolean;
  readonly handle: (e: Envelope, deliveryCount: number) => Promise<void>;
}

interface DurableQueue {
  readonly pending: { envelope: Envelope; deliveries: number }[];
  readonly members: DurableMember[];
  next: number;
}

/** The shared state of buses in one process. */
export class InProcessHub {
  private readonly liveSubs = new Set<LiveSub>();
  /** Live subscriptions by event name, made on first publish after a change (publish is hot). */
  private byName = new Map<EventName, LiveTargets>();
  readonly groupCursor = new Map<string, number>();
  readonly durables = new Map<string, DurableQueue>();

  addLive(sub: LiveSub): void {
    this.liveSubs.add(sub);
    this.byName = new Map();
  }

  deleteLive(sub: LiveSub): void {
    this.liveSubs.delete(sub);
    this.byName = new Map();
  }

  liveFor(name: EventName): LiveTargets {
    let targets = this.byName.get(name);
    if (targets === undefined) {
      const subs = [...this.liveSubs].filter((s) => s.name === name);
      const groups = new Map<string, LiveSub[]>();
      for (const sub of subs) {
        if (sub.group === undefined) continue;
        const members = groups.get(sub.group) ?? [];
        members.push(sub);
        groups.set(sub.group, members);
      }
      targets = {
        each: subs.filter((sub) => sub.group === undefined),
        groups: [...groups].map(([group, members]) => ({ key: `${name}|${group}`, members })),
      };
      this.byName.set(name, targets);
    }
    return targets;
  }
}

export interface InProcessBusOptions {
  readonly hub?: InProcessHub;
  readonly onError?: BusErrorReporter;
  /** Wait before a failed durable message is delivered again (default 100 ms). */
  readonly redeliveryDelayMs?: number;
  /** Deliveries of one durable message before it is given up and reported (default 10). */
  readonly maxDeliver?: number;
  /** Messages a live subscriber may fall behind before the oldest are dropped (default 10,000). */
  readonly liveBacklog?: number;
}

/** What publish answers once a message is handed to its subscribers' queues. */
const DELIVERED = Promise.resolve();

export function createInProcessBus(options: InProcessBusOptions = {}): Bus {
  const hub = options.hub ?? new InProcessHub();
  const onError = options.onError ?? reportToStderr;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
  const maxDeliver = options.maxDeliver ?? 10;
  const liveBacklog = options.liveBacklog ?? 10_000;
  const mine = new Set<Subscription>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  function pump(q: DurableQueue): void {
    while (q.pending.length > 0) {
      const n = q.members.length;
      let member: DurableMember | undefined;
      for (let k = 0; k < n; k++) {
        const m = q.members[(q.next + k) % n] as DurableMember;
        if (!m.busy) {
          member = m;
          q.next = (q.next + k + 1) % n;
          break;
        }
      }
      if (member === undefined) return;
      const item = q.pending.shift() as { envelope: Envelope; deliveries: number };
      item.deliveries++;
      member.busy = true;
      const m = member;
      void m.handle(item.envelope, item.deliveries).then(
        () => {
          m.busy = false;
          pump(q);
        },
        (error: unknown) => {
          m.busy = false;
          onError(error, { event: item.envelope.name, id: item.envelope.id });
          if (item.deliveries >= maxDeliver) {
            onError(new Error(`given up after ${item.deliveries} deliveries`), {
              event: item.envelope.name,
              id: item.envelope.id,
            });
          } else {
            const t = setTimeout(() => {
              timers.delete(t);
              q.pending.push(item);
              pump(q);
            }, redeliveryDelayMs);
            timers.add(t);
          }
          pump(q);
        },
      );
    }
  }

  function deliverPublished<K extends EventName>(name: K, payload: EventMap[K], opts: PublishOptions): void {
    if (closed) throw new Error('bus is closed');
    const codec = EVENT_CODECS[name] as EventCodec<EventMap[K]>;
    const envelope: Envelope = {
      name,
      id: opts.id ?? randomUUID(),
      payload: codec.inProcess?.(payload) ?? codec.decode(codec.encode(payload)),
    };
    const live = hub.liveFor(name);
    for (const sub of live.each) sub.queue.push(envelope);
    for (const { key, members } of live.groups) {
      const i = (hub.groupCursor.get(key) ?? 0) % members.length;
      hub.groupCursor.set(key, i + 1);
      members[i]?.queue.push(envelope);
    }
    const prefix = `${name}|`;
    for (const [key, q] of hub.durables) {
      if (key.startsWith(prefix)) {
        q.pending.push({ envelope, deliveries: 0 });
        pump(q);
      }
    }
  }

  return {
    kind: 'in-process',

    publish<K extends EventName>(name: K, payload: EventMap[K], opts: PublishOptions = {}): Promise<void> {
      // not async: publishing is on the ingest's hot path, and a delivered message needs no promise
      try {
        deliverPublished(name, payload, opts);
      } catch (e) {
        return Promise.reject(e);
      }
      return DELIVERED;
    },

    async subscribe<K extends EventName>(
      name: K,
      handler: Handler<K>,
      opts: SubscribeOptions = {},
    ): Promise<Subscription> {
      if (closed) throw new Error('bus is closed');
      const deliverDurable = async (e: Envelope, deliveryCount: number): Promise<void> => {
        // Durable deliveries start from publish(): defer them so the publisher never runs a handler.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const meta: MessageMeta = { id: e.id, deliveryCount };
        await handler(e.payload as EventMap[K], meta);
      };
      let sub: Subscription;
      if (opts.durable !== undefined) {
        const key = `${name}|${opts.durable}`;
        let q = hub.durables.get(key);
        if (q === undefined) {
          q = { pending: [], members: [], next: 0 };
          hub.durables.set(key, q);
        }
        const member: DurableMember = { busy: false, handle: deliverDurable };
        q.members.push(member);
        const queue = q;
        pump(queue);
        sub = {
          async unsubscribe() {
            const i = queue.members.indexOf(member);
            if (i >= 0) queue.members.splice(i, 1);
            mine.delete(sub);
          },
        };
      } else {
        const live: LiveSub = {
          name,
          group: opts.group,
          queue: new LiveQueue<Envelope>(
            (e) => {
              // a handler that finishes synchronously (most live ones) costs no promise
              try {
                const r = handler(e.payload as EventMap[K], { id: e.id, deliveryCount: 1 });
                if (r === undefined) return undefined;
                return Promise.resolve(r).catch((error: unknown) =>
                  onError(error, { event: name, id: e.id }),
                );
              } catch (error) {
                onError(error, { event: name, id: e.id });
                return undefined;
              }
            },
            liveBacklog,
            (dropped) =>
              onError(new Error(`slow live subscriber: ${dropped} messages dropped`), { event: name }),
          ),
        };
        hub.addLive(live);
        sub = {
          async unsubscribe() {
            live.queue.stop();
            hub.deleteLive(live);
            mine.delete(sub);
          },
        };
      }
      mine.add(sub);
      return sub;
    },

    async close(): Promise<void> {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...mine].map((s) => s.unsubscribe()));
    },
  };
}
