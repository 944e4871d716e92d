/**
 * The bus on NATS JetStream, chosen when `NATS_URL` is set: servers sharing one NATS see each
 * other's messages (that is how a viewer on one server sees frames ingested by another).
 *
 * - Every publish goes to JetStream (`js.publish` with the message id as `Nats-Msg-Id`, so a
 *   repeat within the stream's duplicate window is stored once). Two streams, created when
 *   missing: `<PREFIX>SPECTRUM` (spectrum frames, kept 10 minutes / 2 GiB: they are for live use
 *   and for consumers that are briefly behind; history lives in the database as tiles) and
 *   `<PREFIX>EVENTS` (everything else, kept 7 days).
 * - Live subscriptions are core NATS subscriptions on the subject (with a queue group for
 *   `group`): no per-message acknowledgement, the cheapest fan-out.
 * - Durable subscriptions are JetStream pull consumers (explicit ack, `ack_wait`, `max_deliver`),
 *   one per durable name and event; subscribers sharing the name share its messages. A message is
 *   acked when the handler resolves and nak'ed (redelivered after `redeliveryDelayMs`) when it
 *   throws; if the subscriber dies first, JetStream redelivers it after `ack_wait`.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type ConsumerMessages,
  type JetStreamManager,
} from '@nats-io/jetstream';
import {
  connect,
  nanos,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@nats-io/transport-node';
import { OperationalError } from '@heimdall/errors';
import type {
  Bus,
  BusErrorReporter,
  Handler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './bus.ts';
import { reportToStderr } from './bus.ts';
import { EVENT_CODECS, EVENT_NAMES, type EventMap, type EventName } from './event-map.ts';
import { LiveQueue } from './live-queue.ts';

export interface NatsBusOptions {
  readonly url: string;
  /**
   * Prefix of every subject (`<prefix>spectrum.frame`) and stream name; empty by default. Tests
   * use a fresh one per run so parallel runs never share streams.
   */
  readonly prefix?: string;
  readonly onError?: BusErrorReporter;
  /** How long JetStream waits for a durable subscriber's ack before redelivering (default 30 s). */
  readonly ackWaitMs?: number;
  /** Wait before a nak'ed message is delivered again (default 100 ms). */
  readonly redeliveryDelayMs?: number;
  /** Deliveries of one durable message before JetStream gives up on it (default 10). */
  readonly maxDeliver?: number;
  /** Messages a live subscriber may fall behind before the oldest are dropped (default 10,000). */
  readonly liveBacklog?: number;
}

const MSG_ID = 'Nats-Msg-Id';

function streamOf(name: EventName): 'SPECTRUM' | 'EVENTS' {
  return name === 'spectrum.frame' ? 'SPECTRUM' : 'EVENTS';
}

/** Stream and consumer names allow letters, digits, `-` and `_` only. */
function token(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

async function ensureStreams(jsm: JetStreamManager, prefix: string): Promise<void> {
  const wanted = [
    {
      name: `${token(prefix).toUpperCase()}SPECTRUM`,
      subjects: [`${prefix}spectrum.frame`],
      max_age: nanos(10 * 60_000),
      max_bytes: 2 * 1024 ** 3,
    },
    {
      name: `${token(prefix).toUpperCase()}EVENTS`,
      subjects: EVENT_NAMES.filter((n) => streamOf(n) === 'EVENTS').map((n) => `${prefix}${n}`),
      max_age: nanos(7 * 24 * 3600_000),
      max_bytes: -1,
    },
  ];
  for (const s of wanted) {
    try {
      await jsm.streams.info(s.name);
      await jsm.streams.update(s.name, { subjects: s.subjects, max_age: s.max_age, max_bytes: s.max_bytes });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await jsm.streams.add({ ...s, storage: StorageType.File, duplicate_window: nanos(2 * 60_000) });
      } catch (raced) {
        // another server created it at the same moment: fine if it exists now
        await jsm.streams.info(s.name).catch(() => {
          throw raced;
        });
      }
    }
  }
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  const message = e instanceof Error ? e.message : '';
  return name === 'StreamNotFoundError' || /not found/i.test(message);
}

export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  const prefix = options.prefix ?? '';
  const onError = options.onError ?? reportToStderr;
  const ackWait = options.ackWaitMs ?? 30_000;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
  const maxDeliver = options.maxDeliver ?? 10;
  const liveBacklog = options.liveBacklog ?? 10_000;
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: options.url, name: 'heimdall-server', maxReconnectAttempts: -1 });
  } catch (cause) {
    throw new OperationalError(`cannot connect to NATS at ${options.url}`, { cause });
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, prefix);
  } catch (cause) {
    await nc.close().catch(() => undefined);
    throw new OperationalError(
      `NATS at ${options.url} has no usable JetStream (start nats-server with -js)`,
      { cause },
    );
  }
  const js = jetstream(nc);
  const subs = new Set<Subscription>();
  const subject = (name: EventName) => `${prefix}${name}`;
  const streamName = (name: EventName) => `${token(prefix).toUpperCase()}${streamOf(name)}`;

  return {
    kind: 'nats',

    async publish<K extends EventName>(
      name: K,
      payload: EventMap[K],
      opts: PublishOptions = {},
    ): Promise<void> {
      const codec = EVENT_CODECS[name];
      const data = codec.encode(payload);
      codec.decode(data); // the same validation as in-process: a bad payload fails here, not in a subscriber
      try {
        await js.publish(subject(name), data, { msgID: opts.id ?? randomUUID() });
      } catch (cause) {
        throw new OperationalError(`publishing ${name} to NATS failed`, { cause });
      }
    },

    async subscribe<K extends EventName>(
      name: K,
      handler: Handler<K>,
      opts: SubscribeOptions = {},
    ): Promise<Subscription> {
      const codec = EVENT_CODECS[name];
      let sub: Subscription;
      if (opts.durable === undefined) {
        const queue = new LiveQueue<{ data: Uint8Array; id: string }>(
          async (m) => {
            try {
              await handler(codec.decode(m.data), { id: m.id, deliveryCount: 1 });
            } catch (error) {
              onError(error, { event: name, id: m.id });
            }
          },
          liveBacklog,
          (dropped) =>
            onError(new Error(`slow live subscriber: ${dropped} messages dropped`), { event: name }),
        );
        const ns: NatsSubscription = nc.subscribe(subject(name), {
          ...(opts.group === undefined ? {} : { queue: opts.group }),
          callback: (err, msg) => {
            if (err !== null) {
              onError(err, { event: name });
              return;
            }
            queue.push({ data: msg.data, id: msg.headers?.get(MSG_ID) ?? '' });
          },
        });
        // Resolve only once the server has the subscription: a publish after this reaches it.
        await nc.flush();
        sub = {
          async unsubscribe() {
            queue.stop();
            ns.unsubscribe();
            subs.delete(sub);
          },
        };
      } else {
        const durable = token(`${opts.durable}__${name}`);
        const stream = streamName(name);
        try {
          await jsm.consumers.info(stream, durable);
        } catch (e) {
          if (!isNotFound(e)) throw e;
          try {
            await jsm.consumers.add(stream, {
              durable_name: durable,
              ack_policy: AckPolicy.Explicit,
              deliver_policy: DeliverPolicy.New,
              filter_subject: subject(name),
              ack_wait: nanos(ackWait),
              max_deliver: maxDeliver,
            });
          } catch (raced) {
            // another server created it at the same moment: fine if it exists now
            await jsm.consumers.info(stream, durable).catch(() => {
              throw raced;
            });
          }
        }
        const consumer = await js.consumers.get(stream, durable);
        const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });
        const loop = (async () => {
          for await (const m of messages) {
            const id = m.headers?.get(MSG_ID) ?? `${stream}:${m.seq}`;
            let payload: EventMap[K];
            try {
              payload = codec.decode(m.data);
            } catch (error) {
              onError(error, { event: name, id });
              m.term();
              continue;
            }
            try {
              await handler(payload, { id, deliveryCount: m.info.deliveryCount });
              m.ack();
            } catch (error) {
              onError(error, { event: name, id });
              m.nak(redeliveryDelayMs);
            }
          }
        })();
        sub = {
          async unsubscribe() {
            // A handler still running keeps running; if it never acks, JetStream redelivers its message.
            messages.stop(); // not close(): that waits for the loop, which a wedged handler never ends
            void loop.catch((error: unknown) => onError(error, { event: name }));
            subs.delete(sub);
          },
        };
      }
      subs.add(sub);
      return sub;
    },

    async close(): Promise<void> {
      await Promise.all([...subs].map((s) => s.unsubscribe()));
      await nc.drain().catch(() => nc.close());
    },
  };
}
