/**
 * `sim://SCENARIO#NODE`: a node of a simulated scenario, in this process. Simulated time follows
 * the wall clock from the moment the receiver is made (plus `?start=`), but only the samples a
 * capture asks for are generated: the time in between is skipped (`SimReceiver.skip`, which
 * advances the emitters' timelines without rendering), so a node costs a few percent of what
 * streaming it would.
 *
 * Localization snippets (`captureAt`) run on a timeline every agent of the scenario shares, so
 * that snippets of the same instant from several agents (processes started at different moments)
 * show the same emission: scenario time = the wall-clock time since the latest UTC time of day
 * of the scenario's `start` (the simulated time of day matches the wall clock). Each snippet is a
 * fresh render at that time with the node's clock model (a GPS site's clock is off by about 20 ns,
 * drawn anew per capture; NTP by milliseconds), so it never disturbs the edge's own timeline.
 */
import { OperationalError, UserError } from '@heimdall/errors';
import type { ClockSource } from '@heimdall/protocol';
import { SimReceiver } from '@heimdall/sim';
import type { ReceiverStatus } from '../edge.contract.ts';
import type { EdgeClock } from '../edge/edge-clock.ts';
import { loadScenario } from '../sim/scenario-file.ts';
import {
  liveCu8Capabilities,
  msToNs,
  nsToMs,
  type Capture,
  type CaptureRequest,
  type IqSnippet,
  type Receiver,
  type ReceiverCapabilities,
  type SnippetRequest,
} from './receiver.ts';
import type { SimUrl } from './receiver-url.ts';

const CLOCKS: Readonly<Record<string, ClockSource>> = { gps: 'gps', ntp: 'ntp', none: 'system' };

const DAY_NS = 86_400_000_000_000n;

export class SimEdgeReceiver implements Receiver {
  readonly capabilities: ReceiverCapabilities;
  private readonly rx: SimReceiver;
  /** Wall time of scenario time `startS`. */
  private readonly originMs: number;
  private buf = new Uint8Array(0);
  private closed = false;

  constructor(
    private readonly url: SimUrl,
    private readonly clock: EdgeClock,
  ) {
    const scene = loadScenario(url.scenario);
    this.rx = new SimReceiver(scene, url.node, {
      startTime: url.startS,
      ...(url.sampleRate === undefined ? {} : { sampleRate: url.sampleRate }),
    });
    this.originMs = clock.now();
    this.capabilities = liveCu8Capabilities(this.rx.sampleRate, this.rx.node.frequency_range);
  }

  /** The node's own centre frequency (for a plan made from the URL). */
  get defaultCenterHz(): number {
    return this.rx.node.center_frequency;
  }

  capture(req: CaptureRequest): Promise<Capture | null> {
    if (this.closed) return Promise.resolve(null);
    const rx = this.rx;
    if (req.centerHz !== rx.centerFrequency) {
      rx.tune(req.centerHz);
      rx.skip(req.settleSamples);
    }
    const target = Math.round(((req.atMs - this.originMs) / 1000) * rx.sampleRate);
    if (target > rx.position) rx.skip(target - rx.position);
    const bytes = 2 * req.samples;
    if (this.buf.length < bytes) this.buf = new Uint8Array(bytes);
    const out = this.buf.subarray(0, bytes);
    const firstS = rx.time - this.url.startS;
    rx.readCu8(out);
    return Promise.resolve({
      bytes: out,
      centerHz: rx.centerFrequency,
      timeNs: msToNs(this.originMs + firstS * 1000),
    });
  }

  /**
   * A snippet at `startNs` (see the module comment for its timeline). Waits until the capture has
   * ended on the wall clock: the samples do not exist before they happen.
   */
  async captureAt(req: SnippetRequest, signal: AbortSignal): Promise<IqSnippet> {
    const node = this.rx.node;
    const where = `simulated node "${node.name}"`;
    const rate = snippetRate(node.sample_rates, req.minSampleRateHz, where);
    const samples = Math.ceil((req.durationMs / 1000) * rate);
    if (samples > req.maxSamples)
      throw new UserError(
        `${req.durationMs} ms at ${rate / 1e3} kS/s is ${samples} samples, more than the ${req.maxSamples} a snippet may hold`,
        { source: where, fix: 'ask for a shorter duration_ms or a narrower bandwidth' },
      );
    const startMs = nsToMs(req.startNs);
    const late = this.clock.now() - startMs;
    if (late > 0)
      throw new UserError(`the capture time passed ${late.toFixed(0)} ms before the receiver was ready`, {
        source: where,
        fix: 'ask for a capture time a few seconds ahead',
      });
    const scene = this.rx.scene;
    const sceneNs = BigInt(scene.startMs) * 1_000_000n;
    const sinceDayNs = (((req.startNs - sceneNs) % DAY_NS) + DAY_NS) % DAY_NS;
    // tunes at once, so a frequency out of range fails now rather than after the wait
    const rx = new SimReceiver(scene, node.name, {
      centerFrequency: req.centerHz,
      sampleRate: rate,
      startTime: Number(sinceDayNs) / 1e9,
      capture: Math.floor(startMs) % 2_147_483_647,
    });
    await this.clock.sleep(startMs + req.durationMs - this.clock.now(), signal);
    if (signal.aborted || this.closed)
      throw new OperationalError(`the capture on ${where} was cancelled: the agent is stopping`);
    const iq = new Float32Array(2 * samples);
    rx.readCf32(iq);
    return {
      iq,
      sampleRateHz: rate,
      centerHz: req.centerHz,
      startNs: req.startNs,
      clockSource: CLOCKS[node.clock] ?? 'unknown',
    };
  }

  status(): ReceiverStatus {
    return {
      state: this.closed ? 'stopped' : 'streaming',
      message: null,
      url: this.url.display,
      sampleDrops: 0,
      overruns: 0,
      clockSource: CLOCKS[this.rx.node.clock] ?? 'unknown',
      clockOffsetMs: this.rx.clockErrorS * 1000,
    };
  }

  close(): void {
    this.closed = true;
  }
}

/** The rate of a snippet: the wanted one, or the node's smallest listed rate at or above it. */
function snippetRate(rates: readonly number[] | undefined, min: number, where: string): number {
  if (rates === undefined) return min;
  const ok = rates.filter((r) => r >= min).sort((a, b) => a - b)[0];
  if (ok === undefined)
    throw new UserError(`${where} has no sample rate of ${min / 1e3} kS/s or more`, {
      source: where,
      fix: `ask for a narrower bandwidth (its fastest rate is ${Math.max(...rates) / 1e3} kS/s)`,
    });
  return ok;
}
