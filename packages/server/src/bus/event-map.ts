/**
 * Every event on the bus: a dotted name that is also the NATS subject (after an optional prefix),
 * and its payload. Spectrum frames travel as binary protocol frames, everything else as JSON that
 * the receiver validates with the same zod schema as the REST API.
 */
import { UnexpectedError } from '@heimdall/errors';
import {
  anomalySchema,
  decodeFrame,
  detectionSchema,
  encodeSpectrumFrame,
  heartbeatSchema,
  jobSchema,
  localizationSchema,
  nodeStatusSchema,
  shareSpectrumFrame,
  wireBytesOf,
  type Anomaly,
  type Detection,
  type Heartbeat,
  type Job,
  type Localization,
  type NodeStatus,
  type SpectrumFrame,
} from '@heimdall/protocol';
import { z } from 'zod';

export const nodeStatusEventSchema = z.object({
  node_id: z.uuid(),
  status: nodeStatusSchema,
  at: z.iso.datetime({ offset: true }),
});

export interface EventMap {
  /**
   * A spectrum frame was accepted by an ingest (validated, not a duplicate). Live viewers on every
   * server fan it out; consumers that must see every frame subscribe durably. Id: `<node>:<sequence>`.
   */
  'spectrum.frame': SpectrumFrame;
  /** A detection was stored (from a node's detections message or the server's own detector). */
  'detection.created': Detection;
  /** A node's heartbeat was stored. */
  'node.heartbeat': Heartbeat;
  /** A node went online or offline. */
  'node.status': { readonly node_id: string; readonly status: NodeStatus; readonly at: string };
  /** An anomaly was raised. */
  'anomaly.created': Anomaly;
  /** A job was created (queued for its node). Id: `job:<id>:created`. */
  'job.created': Job;
  /** A job changed state (running, succeeded, failed, cancelled). Id: `job:<id>:<status>`. */
  'job.updated': Job;
  /**
   * A localization finished: `status` is `completed` with a fix, or `failed` with an error.
   * Id: `localization:<id>`.
   */
  'localization.completed': Localization;
}

export type EventName = keyof EventMap;

export const EVENT_NAMES = [
  'spectrum.frame',
  'detection.created',
  'node.heartbeat',
  'node.status',
  'anomaly.created',
  'job.created',
  'job.updated',
  'localization.completed',
] as const satisfies readonly EventName[];

export interface EventCodec<T> {
  encode(payload: T): Uint8Array;
  /** Throws an UnexpectedError when the bytes are not this event (another server's bug). */
  decode(bytes: Uint8Array): T;
  /**
   * What the in-process bus delivers instead of `decode(encode(payload))`, where that round trip
   * would only copy what nobody writes to (spectrum frames: 10,000 a second at full load), or
   * undefined where the round trip is needed.
   */
  inProcess?(payload: T): T | undefined;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function json<T>(name: EventName, schema: z.ZodType<T>): EventCodec<T> {
  return {
    encode: (payload) => utf8.encode(JSON.stringify(payload)),
    decode: (bytes) => {
      let value: unknown;
      try {
        value = JSON.parse(utf8Decoder.decode(bytes));
      } catch (cause) {
        throw new UnexpectedError(`${name} message is not JSON`, { cause });
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success)
        throw new UnexpectedError(`${name} message does not match its schema: ${parsed.error.message}`);
      return parsed.data;
    },
  };
}

export const EVENT_CODECS: { readonly [K in EventName]: EventCodec<EventMap[K]> } = {
  'spectrum.frame': {
    // a frame as it arrived goes out as it arrived: no encoding per publish
    encode: (frame) => wireBytesOf(frame) ?? encodeSpectrumFrame(frame),
    // a decoded frame's bins and bytes are a view of a buffer nobody writes to again (a socket's,
    // a request's): in process, subscribers get their own frame object around them, no copy. A
    // frame built in code takes the round trip, since its publisher may reuse its bins.
    inProcess: (frame) => (wireBytesOf(frame) === undefined ? undefined : shareSpectrumFrame(frame)),
    decode: (bytes) => {
      let frame;
      try {
        // a copy: the frame (and its wire bytes, forwarded to live viewers) outlives the message
        frame = decodeFrame(bytes.slice());
      } catch (cause) {
        throw new UnexpectedError('spectrum.frame message is not a valid frame', { cause });
      }
      if (frame.kind !== 'spectrum')
        throw new UnexpectedError(`spectrum.frame message holds a ${frame.kind} frame`);
      return frame;
    },
  },
  'detection.created': json('detection.created', detectionSchema),
  'node.heartbeat': json('node.heartbeat', heartbeatSchema),
  'node.status': json('node.status', nodeStatusEventSchema),
  'anomaly.created': json('anomaly.created', anomalySchema),
  'job.created': json('job.created', jobSchema),
  'job.updated': json('job.updated', jobSchema),
  'localization.completed': json('localization.completed', localizationSchema),
};
