/** Chooses the bus from configuration: NATS JetStream when `NATS_URL` is set, else in-process. */
import type { Config } from '@heimdall/config';
import type { Bus, BusErrorReporter } from './bus.ts';
import { createInProcessBus } from './in-process.bus.ts';
import { createNatsBus } from './nats.bus.ts';

export async function openBus(
  config: Pick<Config, 'natsUrl'>,
  options: { onError?: BusErrorReporter } = {},
): Promise<Bus> {
  const onError = options.onError === undefined ? {} : { onError: options.onError };
  return config.natsUrl === undefined
    ? createInProcessBus(onError)
    : createNatsBus({ url: config.natsUrl, ...onError });
}
