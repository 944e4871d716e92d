/**
 * Test matrix: runs a bus test suite in-process and on the real nats-server at `NATS_URL`
 * (skipped, saying so, when it is not set).
 *
 * `makeBus()` returns a new bus instance on a shared backbone: in-process buses of one suite share
 * a hub, NATS buses a fresh subject prefix and streams (deleted after the suite), so two instances
 * behave like two servers and parallel test runs never meet.
 */
import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { testEnv } from '@heimdall/config';
import type { Bus, BusErrorReporter } from './bus.ts';
import { createInProcessBus, InProcessHub } from './in-process.bus.ts';
import { createNatsBus } from './nats.bus.ts';

export interface TestBusOptions {
  readonly onError?: BusErrorReporter;
  /** Short waits so redelivery tests run fast. */
  readonly redeliveryDelayMs?: number;
  readonly ackWaitMs?: number;
}

export type MakeBus = (options?: TestBusOptions) => Promise<Bus>;

export function forEachBus(suite: (name: 'in-process' | 'nats', makeBus: MakeBus) => void): void {
  describe('in-process', () => {
    const hub = new InProcessHub();
    suite('in-process', async (o = {}) => createInProcessBus({ hub, ...o }));
  });
  const url = testEnv('NATS_URL');
  if (url === undefined) {
    describe('nats', { skip: 'NATS_URL not set: the NATS JetStream half of the bus tests did not run' }, () =>
      suite('nats', () => Promise.reject(new Error('NATS_URL not set'))),
    );
    return;
  }
  describe('nats', () => {
    const prefix = `t${randomBytes(5).toString('hex')}.`;
    after(async () => {
      const nc = await connect({ servers: url });
      const jsm = await jetstreamManager(nc);
      for (const s of ['SPECTRUM', 'EVENTS'])
        await jsm.streams.delete(`${prefix.replace('.', '_').toUpperCase()}${s}`).catch(() => false);
      await nc.close();
    });
    suite('nats', async (o = {}) => createNatsBus({ url, prefix, ...o }));
  });
}
