/**
 * `heimdall localize REC... --freq F --bandwidth B [--json]`: where is the emitter? Reads one SigMF
 * recording per node (position in `core:geolocation`, time of the first sample in `core:datetime`,
 * `heimdall:clock_source`), cuts the stretch all recordings share on absolute time, and fixes the
 * emitter by TDOA (GPS-synced clocks, nanosecond timestamps) or else by received power, with a 95 %
 * error ellipse, GDOP and a quality flag.
 */
import { bytesPerSample, decodeIQ } from '@heimdall/dsp';
import { UserError } from '@heimdall/errors';
import { openRecording, parseSigmfDatetime, type Recording } from '@heimdall/formats';
import {
  CLOCK_JITTER,
  localizePowerFromSnippets,
  localizeTdoa,
  type Fix,
  type GeoPosition,
  type TdoaSnippet,
} from '@heimdall/intel';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { writeOut } from '../output.ts';

const help = `usage: heimdall localize REC... --freq F --bandwidth B [--json] [options]

Locates the emitter of a signal captured at the same moment by several nodes. Each REC is one
node's SigMF recording whose capture (or global) metadata carries:
  core:geolocation       the node position, a GeoJSON point [longitude, latitude, altitude]
  core:datetime          the time of the first sample, with nanosecond fractional seconds
  heimdall:clock_source  gps when the node's clock is GPS-disciplined

With GPS clocks and nanosecond timestamps on three or more nodes the fix is by time difference
of arrival (GCC-PHAT on every pair, weighted least squares on the hyperbolae); otherwise, with
four or more nodes, by received power on a log-distance path-loss model (identical receivers
assumed). Every fix has a 95 % error ellipse, a GDOP and a quality flag: good, fair,
poor-geometry or insufficient.

options:
  --freq F           centre frequency of the signal in Hz (k, M, G suffixes), required
  --bandwidth B      width of the signal in Hz, required
  --method M         auto (default), tdoa or power
  --altitude M       emitter height above the WGS-84 ellipsoid in metres (default: the
                     nodes' mean height)
  --exponent N       path-loss exponent for --method power (default: fitted)
  --shadowing DB     spread of received power about the model for power (default 6)
  --max-seconds S    longest stretch of the recordings to use (default 1)
  --json             print one JSON object: lat, lon, ellipse {semi_major_m, semi_minor_m,
                     orientation_deg}, confidence, gdop, method, quality and more

example:
  heimdall localize a.sigmf-meta b.sigmf-meta c.sigmf-meta d.sigmf-meta --freq 433.92M --bandwidth 100k`;

interface Node {
  readonly source: string;
  readonly rec: Recording;
  readonly position: GeoPosition | undefined;
  readonly startNs: bigint | undefined;
  readonly resolutionNs: number;
  readonly clockSource: string | undefined;
  readonly frequency: number;
  /** Samples of the first capture. */
  readonly count: number;
}

export const localizeCommand: Command = {
  name: 'localize',
  summary: 'locate an emitter from recordings of several nodes (TDOA or received power)',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, localizeCommand, {
      freq: { type: 'string' },
      bandwidth: { type: 'string' },
      method: { type: 'string' },
      altitude: { type: 'string' },
      exponent: { type: 'string' },
      shadowing: { type: 'string' },
      'max-seconds': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!args) return 0;
    const { values, positionals } = args;
    if (positionals.length === 0) throw new UsageError('localize needs the recordings of the nodes (REC...)');
    const frequency = parseQuantity('freq', values.freq);
    const bandwidth = parseQuantity('bandwidth', values.bandwidth);
    if (frequency === undefined)
      throw new UsageError('--freq is required: the centre frequency of the signal');
    if (bandwidth === undefined || !(bandwidth > 0))
      throw new UsageError('--bandwidth is required: the width of the signal in Hz');
    const method = values.method ?? 'auto';
    if (method !== 'auto' && method !== 'tdoa' && method !== 'power')
      throw new UsageError(`--method must be auto, tdoa or power (got "${method}")`);
    const altitude = parseQuantity('altitude', values.altitude);
    const exponent = parseQuantity('exponent', values.exponent);
    const shadowing = parseQuantity('shadowing', values.shadowing);
    const maxSeconds = parseQuantity('max-seconds', values['max-seconds']) ?? 1;
    if (!(maxSeconds > 0)) throw new UsageError('--max-seconds must be positive');

    const nodes: Node[] = [];
    try {
      for (const p of positionals) nodes.push(openNode(p));
      const tdoaReady = nodes.every(
        (n) =>
          n.startNs !== undefined &&
          n.resolutionNs < 1000 &&
          n.clockSource !== undefined &&
          CLOCK_JITTER[n.clockSource] !== undefined,
      );
      const useTdoa = method === 'tdoa' || (method === 'auto' && (tdoaReady || nodes.length < 4));
      const snippets = cutSnippets(nodes, maxSeconds, useTdoa);
      const alt = altitude === undefined ? {} : { emitterAltitude: altitude };
      const fix: Fix = useTdoa
        ? localizeTdoa(snippets, { frequency, bandwidth, ...alt })
        : localizePowerFromSnippets(
            snippets,
            { frequency, bandwidth },
            {
              ...alt,
              ...(exponent === undefined ? {} : { exponent }),
              ...(shadowing === undefined ? {} : { shadowingDb: shadowing }),
            },
          );
      const text = values.json === true ? `${JSON.stringify(toJson(fix, nodes))}\n` : table(fix, nodes);
      await writeOut(ctx, undefined, text);
      return 0;
    } finally {
      for (const n of nodes) n.rec.close();
    }
  },
};

function field(rec: Recording, key: string): unknown {
  return rec.captures[0]?.extra[key] ?? rec.meta.global.extra[key];
}

function openNode(source: string): Node {
  let rec: Recording;
  try {
    rec = openRecording(source);
  } catch (e) {
    throw e instanceof UserError ? e.at({ source }) : e;
  }
  const cap = rec.captures[0];
  const datetime = cap?.datetime;
  let startNs: bigint | undefined;
  let resolutionNs = 1e9;
  if (datetime !== undefined) {
    startNs = parseSigmfDatetime(datetime);
    const digits = /\.(\d+)/.exec(datetime)?.[1]?.length ?? 0;
    resolutionNs = Math.max(10 ** (9 - digits), 1);
  }
  const clock = field(rec, 'heimdall:clock_source');
  const next = rec.captures[1]?.sampleStart ?? rec.sampleCount;
  return {
    source,
    rec,
    position: geolocation(field(rec, 'core:geolocation'), source),
    startNs,
    resolutionNs,
    clockSource: typeof clock === 'string' ? clock : undefined,
    frequency: cap?.frequency ?? rec.centerFrequency ?? Number.NaN,
    count: Math.min(next, rec.sampleCount) - (cap?.sampleStart ?? 0),
  };
}

function geolocation(v: unknown, source: string): GeoPosition | undefined {
  if (v === undefined) return undefined;
  const coords = (v as { coordinates?: unknown }).coordinates;
  if (
    (v as { type?: unknown }).type !== 'Point' ||
    !Array.isArray(coords) ||
    coords.length < 2 ||
    !coords.every((c) => typeof c === 'number' && Number.isFinite(c))
  )
    throw new UserError('core:geolocation is not a GeoJSON point', {
      source,
      field: 'core:geolocation',
      fix: 'write {"type": "Point", "coordinates": [longitude, latitude, altitude]}',
    });
  const [lon, lat, alt] = coords as number[];
  return { latitude: lat as number, longitude: lon as number, altitude: alt ?? 0 };
}

/**
 * The stretch every recording covers on absolute time (at most maxSeconds), one snippet per node.
 * Without usable timestamps (power method) each recording's first maxSeconds are used.
 */
function cutSnippets(nodes: readonly Node[], maxSeconds: number, aligned: boolean): TdoaSnippet[] {
  const timed = aligned && nodes.every((n) => n.startNs !== undefined);
  let from = 0n;
  let to: bigint | undefined;
  if (timed) {
    for (const n of nodes) {
      const s = n.startNs as bigint;
      const e = s + BigInt(Math.floor((n.count / n.rec.sampleRate) * 1e9));
      if (s > from) from = s;
      if (to === undefined || e < to) to = e;
    }
    if (to === undefined || to <= from)
      throw new UserError(
        'the recordings do not overlap in time, so they cannot hold the same transmission',
        {
          field: 'core:datetime',
          fix: 'record the same moment on every node (a localization job captures them together)',
        },
      );
  }
  return nodes.map((n): TdoaSnippet => {
    const fs = n.rec.sampleRate;
    const capStart = n.rec.captures[0]?.sampleStart ?? 0;
    let first = 0;
    let count = Math.min(n.count, Math.floor(maxSeconds * fs));
    if (timed) {
      first = Math.max(0, Math.ceil(Number(from - (n.startNs as bigint)) * 1e-9 * fs - 1e-9));
      count = Math.min(count, Math.floor(Number((to as bigint) - from) * 1e-9 * fs), n.count - first);
    }
    if (count <= 0)
      throw new UserError('the recording holds no samples in the common time window', {
        source: n.source,
        fix: 'record the same moment on every node',
      });
    const bytes = new Uint8Array(count * bytesPerSample(n.rec.format));
    const got = n.rec.read(capStart + first, count, bytes);
    const iq = new Float32Array(2 * got);
    decodeIQ(bytes, n.rec.format, iq, got);
    const startNs = (n.startNs ?? 0n) + BigInt(Math.round((first / fs) * 1e9));
    return {
      name: n.source,
      position: n.position,
      iq,
      sampleRate: fs,
      centerFrequency: n.frequency,
      startNs,
      timestampResolutionNs: n.startNs === undefined ? Number.POSITIVE_INFINITY : n.resolutionNs,
      clockSource: n.clockSource,
    };
  });
}

function toJson(fix: Fix, nodes: readonly Node[]): Record<string, unknown> {
  return {
    lat: round(fix.position.latitude, 7),
    lon: round(fix.position.longitude, 7),
    ellipse: {
      semi_major_m: round(fix.ellipse.semiMajor, 2),
      semi_minor_m: round(fix.ellipse.semiMinor, 2),
      orientation_deg: round(fix.ellipse.orientationDeg, 2),
    },
    confidence: fix.confidence,
    gdop: round(fix.gdop, 3),
    method: fix.method,
    quality: fix.quality,
    quality_reason: fix.qualityReason,
    alt: round(fix.position.altitude, 1),
    chi_square: round(fix.chiSquare, 3),
    degrees_of_freedom: fix.degreesOfFreedom,
    nodes: nodes.map((n, k) => ({
      source: n.source,
      used: fix.used.includes(k),
      residual: Number.isFinite(fix.residuals[k]) ? round(fix.residuals[k] as number, 3) : null,
    })),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function table(fix: Fix, nodes: readonly Node[]): string {
  const unit = fix.method === 'tdoa' ? 'm' : 'dB';
  const lines = [
    `latitude    ${fix.position.latitude.toFixed(6)}`,
    `longitude   ${fix.position.longitude.toFixed(6)}`,
    `ellipse     ${fix.ellipse.semiMajor.toFixed(1)} m x ${fix.ellipse.semiMinor.toFixed(1)} m (semi-axes), major axis ${fix.ellipse.orientationDeg.toFixed(1)} deg from north`,
    `confidence  ${(fix.confidence * 100).toFixed(0)} %`,
    `gdop        ${fix.gdop.toFixed(2)}`,
    `method      ${fix.method}`,
    `quality     ${fix.quality} (${fix.qualityReason})`,
    `nodes       ${fix.used.length} of ${nodes.length} used`,
    ...nodes.map((n, k) => {
      const r = fix.residuals[k];
      return `  ${fix.used.includes(k) ? ' ' : 'x'} ${n.source}  residual ${r === undefined || !Number.isFinite(r) ? '-' : `${r.toFixed(2)} ${unit}`}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
