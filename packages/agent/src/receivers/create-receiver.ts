/** The receiver factory: a receiver URL in, the matching {@link Receiver} out. */
import type { EdgeClock, EdgeLogger } from '../edge/edge-clock.ts';
import type { BackoffOptions } from '../backoff.ts';
import type { Receiver } from './receiver.ts';
import { parseReceiverUrl } from './receiver-url.ts';
import { RtlTcpReceiver } from './rtl-tcp.receiver.ts';
import { SigmfReceiver } from './sigmf.receiver.ts';
import { SimEdgeReceiver } from './sim.receiver.ts';

export interface CreateReceiverOptions {
  readonly clock: EdgeClock;
  readonly logger?: EdgeLogger | undefined;
  readonly backoff?: BackoffOptions | undefined;
}

/** A receiver with a default tuning of its own (sim node, `?freq=`), for plans made from the URL. */
export interface ReceiverWithDefaults extends Receiver {
  readonly defaultCenterHz: number | undefined;
}

/**
 * Makes the receiver a URL names. Opening a recording and loading a scenario happen here, so bad
 * paths, unknown scenarios and unknown nodes are UserErrors at once; rtl_tcp connects on the first
 * capture.
 */
export function createReceiver(url: string, o: CreateReceiverOptions): ReceiverWithDefaults {
  const u = parseReceiverUrl(url);
  switch (u.kind) {
    case 'rtl-tcp':
      return new RtlTcpReceiver(u, { clock: o.clock, logger: o.logger, backoff: o.backoff });
    case 'sim':
      return new SimEdgeReceiver(u, o.clock);
    case 'sigmf':
      return new SigmfReceiver(u);
  }
}
