/**
 * `heimdall sim run`: generates a node's recording, faster than real time, as SigMF with the
 * ground truth as annotations, plus the truth as a JSON event list next to it
 * (`REC.truth.json`).
 */
import { writeFileSync } from 'node:fs';
import { UserError } from '@heimdall/errors';
import { HEIMDALL_EXTENSION, SigmfWriter, sigmfBasePath } from '@heimdall/formats';
import { groundTruth, SimReceiver, truthAnnotations, type Scene, type TruthEvent } from '@heimdall/sim';

export type SimOutputFormat = 'cu8' | 'ci16_le' | 'cf32_le';

export interface SimRunOptions {
  readonly scene: Scene;
  readonly node: string;
  readonly seconds: number;
  /** Output path: `X`, `X.sigmf-meta` or `X.sigmf-data`. */
  readonly out: string;
  readonly centerFrequency?: number;
  readonly sampleRate?: number;
  readonly gainDb?: number;
  /** Node-clock start, seconds after the scenario start (default 0). */
  readonly startTime?: number;
  /** Default: cu8 for ADCs of 8 bits or fewer, else ci16_le. */
  readonly format?: SimOutputFormat;
  readonly onProgress?: (samplesDone: number, samplesTotal: number) => void;
  readonly signal?: AbortSignal;
}

export interface SimRunResult {
  readonly metaPath: string;
  readonly dataPath: string;
  readonly truthPath: string;
  readonly samples: number;
  readonly events: readonly TruthEvent[];
  readonly interrupted: boolean;
}

const BLOCK = 65536;

export function runSimulation(o: SimRunOptions): SimRunResult {
  if (!(o.seconds > 0 && Number.isFinite(o.seconds))) {
    throw new UserError(`must be a positive number of seconds (got ${o.seconds})`, {
      field: '--seconds',
      fix: 'e.g. --seconds 10',
    });
  }
  const rx = new SimReceiver(o.scene, o.node, {
    ...(o.centerFrequency === undefined ? {} : { centerFrequency: o.centerFrequency }),
    ...(o.sampleRate === undefined ? {} : { sampleRate: o.sampleRate }),
    ...(o.gainDb === undefined ? {} : { gainDb: o.gainDb }),
    startTime: o.startTime ?? 0,
  });
  const format: SimOutputFormat = o.format ?? (rx.node.adc_bits <= 8 ? 'cu8' : 'ci16_le');
  const total = Math.round(o.seconds * rx.sampleRate);
  const events = groundTruth(rx, total);
  const startMs = o.scene.startMs + (o.startTime ?? 0) * 1000;
  const writer = SigmfWriter.open(o.out, {
    format,
    sampleRate: rx.sampleRate,
    centerFrequency: rx.centerFrequency,
    datetime: new Date(startMs),
    description: `Heimdall simulation: scenario "${o.scene.spec.name}", node "${rx.node.name}", seed ${o.scene.seed}`,
    hw:
      `simulated receiver (${rx.node.adc_bits}-bit ADC, NF ${rx.node.noise_figure_db} dB, gain ${rx.gainDb} dB` +
      (rx.node.adc_noise_dbfs_hz === undefined ? ')' : `, own noise ${rx.node.adc_noise_dbfs_hz} dBFS/Hz)`),
    extensions: [HEIMDALL_EXTENSION],
    global: {
      'heimdall:simulated': true,
      'heimdall:scenario': o.scene.spec.name,
      'heimdall:seed': o.scene.seed,
      'heimdall:node': rx.node.name,
      'heimdall:latitude': rx.node.latitude,
      'heimdall:longitude': rx.node.longitude,
      'heimdall:altitude_m': rx.node.altitude_m,
      'heimdall:clock_sync': rx.node.clock,
      'heimdall:clock_error_s': rx.clockErrorS,
      'heimdall:noise_dbfs': rx.noiseDbfs,
    },
  });
  let interrupted = false;
  let done = 0;
  try {
    const bytesPer = format === 'cu8' ? 2 : format === 'ci16_le' ? 4 : 8;
    const buf = new ArrayBuffer(BLOCK * bytesPer);
    const u8 = new Uint8Array(buf);
    const i16 = new Int16Array(buf);
    const f32 = new Float32Array(buf);
    while (done < total) {
      if (o.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      const n = Math.min(BLOCK, total - done);
      if (format === 'cu8') rx.readCu8(u8.subarray(0, 2 * n));
      else if (format === 'ci16_le') rx.readCi16(i16.subarray(0, 2 * n));
      else rx.readCf32(f32.subarray(0, 2 * n));
      writer.write(u8.subarray(0, n * bytesPer));
      done += n;
      o.onProgress?.(done, total);
    }
    const kept = events
      .map((e) => ({ ...e, sampleCount: Math.min(e.sampleCount, done - e.sampleStart) }))
      .filter((e) => e.sampleStart < done && e.sampleCount > 0);
    for (const a of truthAnnotations(kept)) writer.addAnnotation(a);
    writer.close();
    const base = sigmfBasePath(o.out);
    const truthPath = `${base}.truth.json`;
    writeFileSync(
      truthPath,
      `${JSON.stringify(
        {
          scenario: o.scene.spec.name,
          seed: o.scene.seed,
          node: rx.node.name,
          start: new Date(startMs).toISOString(),
          sample_rate: rx.sampleRate,
          center_frequency: rx.centerFrequency,
          samples: done,
          clock_error_s: rx.clockErrorS,
          events: kept.map(toJson),
        },
        null,
        2,
      )}\n`,
    );
    return {
      metaPath: writer.metaPath,
      dataPath: writer.dataPath,
      truthPath,
      samples: done,
      events: kept,
      interrupted,
    };
  } catch (e) {
    writer.abort();
    throw e;
  }
}

function toJson(e: TruthEvent): Record<string, unknown> {
  return {
    kind: e.kind,
    emitter: e.emitter,
    service: e.service,
    modulation: e.modulation,
    ...(e.anomaly === undefined ? {} : { anomaly: e.anomaly }),
    description: e.description,
    sample_start: e.sampleStart,
    sample_count: e.sampleCount,
    start_s: e.startS,
    end_s: e.endS,
    frequency_hz: e.frequencyHz,
    freq_lower_hz: e.freqLowerHz,
    freq_upper_hz: e.freqUpperHz,
    baseband_hz: e.basebandHz,
    power_dbm: e.powerDbm,
    power_dbfs: e.powerDbfs,
    snr_db: e.snrDb,
    distance_m: e.distanceM,
    delay_s: e.delayS,
  };
}
