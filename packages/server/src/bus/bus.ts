/**
 * The bus port: typed publish/subscribe between the parts of one server and between servers.
 * In-process by default ({@link createInProcessBus}); NATS JetStream when `NATS_URL` is set.
 *
 * Two kinds of subscription:
 * - live (no `durable`): every subscriber gets every message published while it is subscribed,
 *   at most once; with `group`, each message goes to one member of the group. For live viewers.
 * - durable (`durable: 'name'`): at least once. A message is redelivered until a handler
 *   resolves for it (a handler that throws, or a subscriber that dies before resolving, gets it again
 *   later); subscribers with the same durable name share the messages, each to one of them. The
 *   same message can arrive twice: handlers must be idempotent (see `dedupe.ts`).
 *
 * Publishing never waits for subscribers' handlers: an ingest is never slowed by a viewer.
 */
import type { EventMap, EventName } from './event-map.ts';

export interface MessageMeta {
  /** The publisher's id for the message (default a random UUID): equal ids mean the same message. */
  readonly id: string;
  /** How many times this message was delivered to this subscription (1 the first time). */
  readonly deliveryCount: number;
}

export type Handler<K extends EventName> = (payload: EventMap[K], meta: MessageMeta) => void | Promise<void>;

export interface SubscribeOptions {
  /** Durable consumer name: at-least-once delivery, shared by subscribers of the same name. */
  readonly durable?: string;
  /** Live queue group: each message to one member (ignored with `durable`, which already shares). */
  readonly group?: string;
}

export interface PublishOptions {
  /** Message id for idempotent consumers (and JetStream's duplicate window), e.g. `<node>:<seq>`. */
  readonly id?: string;
}

export interface Subscription {
  /** Stops delivery to this subscriber; a durable consumer keeps its messages for the others (or later). */
  unsubscribe(): Promise<void>;
}

export interface Bus {
  readonly kind: 'in-process' | 'nats';
  /** Resolves once the bus has the message (in memory; on NATS, stored by JetStream). */
  publish<K extends EventName>(name: K, payload: EventMap[K], options?: PublishOptions): Promise<void>;
  /** Resolves once the subscription is active: messages published after that reach it. */
  subscribe<K extends EventName>(
    name: K,
    handler: Handler<K>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  /** Stops every subscription and disconnects. */
  close(): Promise<void>;
}

/** Where errors of handlers and of malformed messages go (they never reach the publisher). */
export type BusErrorReporter = (
  error: unknown,
  context: { readonly event: EventName; readonly id?: string },
) => void;

export const reportToStderr: BusErrorReporter = (error, context) => {
  console.error(
    `bus: ${context.event}${context.id === undefined ? '' : ` ${context.id}`}: ${error instanceof Error ? error.message : String(error)}`,
  );
};
