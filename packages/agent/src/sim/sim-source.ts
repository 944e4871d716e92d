/** A simulated node as an rtl_tcp source: a SimReceiver that refuses what the node cannot do. */
import { isUserError } from '@heimdall/errors';
import type { SimReceiver } from '@heimdall/sim';
import type { TunableSource } from '../rtl-tcp/tunable-source.ts';

export class SimSource implements TunableSource {
  constructor(private readonly rx: SimReceiver) {}

  get sampleRate(): number {
    return this.rx.sampleRate;
  }
  get centerFrequency(): number {
    return this.rx.centerFrequency;
  }

  private attempt(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (isUserError(e)) return false;
      throw e;
    }
  }

  setCenterFrequency(hz: number): boolean {
    return this.attempt(() => this.rx.tune(hz));
  }
  setSampleRate(hz: number): boolean {
    return this.attempt(() => this.rx.setSampleRate(hz));
  }
  setGain(db: number | 'auto'): boolean {
    return this.attempt(() => this.rx.setGainDb(db === 'auto' ? this.rx.node.gain_db : db));
  }
  setFrequencyCorrection(ppm: number): boolean {
    return this.attempt(() => this.rx.setFrequencyCorrection(ppm));
  }
  readCu8(out: Uint8Array): void {
    this.rx.readCu8(out);
  }
  skip(samples: number): void {
    this.rx.skip(samples);
  }
}
