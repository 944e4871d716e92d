/**
 * `heimdall sim run` writes a simulated node's recording (SigMF with ground-truth annotations and a
 * JSON event list), faster than real time; `heimdall sim serve` serves a simulated node as a live
 * rtl_tcp receiver that GNU Radio, SDR++ or GQRX can tune. SCENARIO is a YAML/JSON file or `demo`.
 */
import { loadScenario, RtlTcpServer, runSimulation, SimSource, type SimOutputFormat } from '@heimdall/agent';
import { UserError } from '@heimdall/errors';
import { parseDurationLike, SimReceiver, type Scene } from '@heimdall/sim';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { untilStopped } from '../until-stopped.ts';

const runHelp = `usage: heimdall sim run SCENARIO --node NAME --seconds S --out REC.sigmf-meta [options]

Generates what one receiver node of a scenario hears, as a SigMF recording whose annotations
are the ground truth (every transmission and anomaly: samples, band, power, SNR), plus the
same truth as a JSON event list in REC.truth.json. Same seed, same samples, bit for bit.

SCENARIO is a scenario file (YAML or JSON; see packages/sim/README.md) or "demo".

options:
  --node NAME        receiver node (required)
  --seconds S        length of the recording (required)
  --out FILE         output: REC, REC.sigmf-meta or REC.sigmf-data (required)
  --freq F           tune to F Hz (k, M, G suffixes; default: the node's centre frequency)
  --rate R           sample rate in Hz (default: the node's sample rate)
  --gain G           receiver gain in dB (default: the node's gain)
  --start T          start T after the scenario start: seconds, "8h", "90min",
                     or an ISO date-time such as 2024-06-03T21:00:00Z (default 0)
  --format F         cu8, ci16 or cf32 (default: cu8 for 8-bit ADCs, else ci16)

example:
  heimdall sim run demo --node twente --seconds 10 --out twente.sigmf-meta
  heimdall sim run demo --node doorn --freq 227.36M --seconds 5 --start 2h --out dab`;

const serveHelp = `usage: heimdall sim serve SCENARIO --node NAME --rtl-tcp HOST:PORT [options]

Serves one receiver node of a scenario as a live rtl_tcp receiver (R820T, cu8 in real time):
GNU Radio's osmosdr "rtl_tcp=HOST:PORT" source, SDR++, GQRX or SDR# connect, tune, set the
sample rate and gain, and hear the scenario's emitters where the scenario puts them. Each
client gets its own virtual dongle. Slow clients lose whole blocks (counted), never memory.

SCENARIO is a scenario file (YAML or JSON) or "demo". Stops on Ctrl-C.

options:
  --node NAME        receiver node (required)
  --rtl-tcp ADDR     where to listen: HOST:PORT, or PORT for 127.0.0.1 (required)
  --freq F           initial centre frequency (default: the node's)
  --rate R           initial sample rate (default: the node's)
  --start T          scenario time at start-up (as for sim run; default 0)
  --max-clients N    simultaneous clients (default 4)

example:
  heimdall sim serve demo --node twente --rtl-tcp 127.0.0.1:1234`;

function requireFlag(name: string, v: string | undefined): string {
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function scenarioArg(positionals: readonly string[]): string {
  const [scenario, ...rest] = positionals;
  if (scenario === undefined) throw new UsageError('give a scenario file or "demo"');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
  return scenario;
}

/** `--start`: seconds after the scenario start, "8h"/"90min", or an ISO date-time. */
export function parseStart(raw: string | undefined, scene: Scene): number {
  if (raw === undefined) return 0;
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) throw new UsageError(`--start is not a valid date-time (got "${raw}")`);
    const s = (ms - scene.startMs) / 1000;
    if (s < 0) {
      throw new UserError(`--start ${raw} is before the scenario start ${scene.spec.start}`, {
        field: '--start',
        fix: `start at or after ${scene.spec.start}`,
      });
    }
    return s;
  }
  const v = parseDurationLike(raw);
  if (typeof v !== 'number' || !(v >= 0)) {
    throw new UsageError(
      `--start must be seconds, a duration such as 8h, or an ISO date-time (got "${raw}")`,
    );
  }
  return v;
}

function outputFormat(raw: string | undefined): SimOutputFormat | undefined {
  if (raw === undefined) return undefined;
  const f = { cu8: 'cu8', ci16: 'ci16_le', ci16_le: 'ci16_le', cf32: 'cf32_le', cf32_le: 'cf32_le' }[raw];
  if (f === undefined) throw new UsageError(`--format must be cu8, ci16 or cf32 (got "${raw}")`);
  return f as SimOutputFormat;
}

export const simRunCommand: Command = {
  name: 'sim run',
  summary: 'write a simulated node recording (SigMF) with ground-truth annotations',
  help: runHelp,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, simRunCommand, {
      node: { type: 'string' },
      seconds: { type: 'string' },
      out: { type: 'string', short: 'o' },
      freq: { type: 'string' },
      rate: { type: 'string' },
      gain: { type: 'string' },
      start: { type: 'string' },
      format: { type: 'string' },
    });
    if (!args) return 0;
    const { values } = args;
    const scenario = scenarioArg(args.positionals);
    const node = requireFlag('node', values.node);
    const out = requireFlag('out', values.out);
    const seconds = parseDurationLike(requireFlag('seconds', values.seconds));
    if (typeof seconds !== 'number' || !(seconds > 0)) {
      throw new UsageError(`--seconds must be a positive number (got "${values.seconds ?? ''}")`);
    }
    const format = outputFormat(values.format);
    const scene = loadScenario(scenario);
    const startTime = parseStart(values.start, scene);
    const freq = parseQuantity('freq', values.freq);
    const rate = parseQuantity('rate', values.rate);
    const gain = parseQuantity('gain', values.gain);
    const progress = ctx.progress(
      `sim ${node}`,
      Math.round(seconds * (rate ?? scene.node(node).sample_rate)),
      'S',
    );
    const t0 = performance.now();
    const result = runSimulation({
      scene,
      node,
      seconds,
      out,
      startTime,
      ...(freq === undefined ? {} : { centerFrequency: freq }),
      ...(rate === undefined ? {} : { sampleRate: rate }),
      ...(gain === undefined ? {} : { gainDb: gain }),
      ...(format === undefined ? {} : { format }),
      onProgress: (done) => progress.update(done),
      signal: ctx.signal,
    });
    progress.done();
    const elapsed = (performance.now() - t0) / 1000;
    const simulated = result.samples / (rate ?? scene.node(node).sample_rate);
    ctx.stderr.write(
      `${result.metaPath}: ${result.samples} samples (${simulated.toFixed(1)} s) in ${elapsed.toFixed(1)} s ` +
        `(${(simulated / Math.max(elapsed, 1e-6)).toFixed(1)}x real time), ${result.events.length} truth events; ` +
        `truth also in ${result.truthPath}\n`,
    );
    return result.interrupted ? 130 : 0;
  },
};

/** `HOST:PORT`, `:PORT` or `PORT`. */
export function parseListen(raw: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(raw.trim());
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--rtl-tcp must be HOST:PORT or PORT (got "${raw}")`);
  }
  return { host: m[1] === undefined || m[1] === '' ? '127.0.0.1' : m[1], port };
}

export const simServeCommand: Command = {
  name: 'sim serve',
  summary: 'serve a simulated node as a live rtl_tcp receiver (GNU Radio, SDR++, GQRX)',
  help: serveHelp,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(ctx, simServeCommand, {
      node: { type: 'string' },
      'rtl-tcp': { type: 'string' },
      freq: { type: 'string' },
      rate: { type: 'string' },
      start: { type: 'string' },
      'max-clients': { type: 'string' },
    });
    if (!args) return 0;
    const { values } = args;
    const scenario = scenarioArg(args.positionals);
    const node = requireFlag('node', values.node);
    const { host, port } = parseListen(requireFlag('rtl-tcp', values['rtl-tcp']));
    const maxClients = parseQuantity('max-clients', values['max-clients']) ?? 4;
    if (!Number.isInteger(maxClients) || maxClients < 1)
      throw new UsageError('--max-clients must be a whole number >= 1');
    const scene = loadScenario(scenario);
    const start = parseStart(values.start, scene);
    const freq = parseQuantity('freq', values.freq);
    const rate = parseQuantity('rate', values.rate);
    const opts = {
      ...(freq === undefined ? {} : { centerFrequency: freq }),
      ...(rate === undefined ? {} : { sampleRate: rate }),
    };
    // validate node and settings now, so mistakes show before anyone connects
    const probe = new SimReceiver(scene, node, opts);
    const began = performance.now();
    let capture = 0;
    const server = new RtlTcpServer({
      maxClients,
      createSource: () =>
        new SimSource(
          new SimReceiver(scene, node, {
            ...opts,
            // live: scenario time runs on while the server is up
            startTime: start + (performance.now() - began) / 1000,
            capture: ++capture,
          }),
        ),
      logger: {
        info: (m) => ctx.stderr.write(`${m}\n`),
        warn: (m) => ctx.stderr.write(`${m}\n`),
      },
    });
    let bound: number;
    try {
      bound = await server.listen(port, host);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new UserError(`cannot listen on ${host}:${port} (${code ?? String(e)})`, {
        field: '--rtl-tcp',
        fix:
          code === 'EADDRINUSE'
            ? 'pick a free port, e.g. --rtl-tcp 127.0.0.1:1235'
            : 'use a local address and a free port',
      });
    }
    ctx.stderr.write(
      `serving node "${node}" of scenario "${scene.spec.name}" as rtl_tcp on ${host}:${bound} ` +
        `(R820T, ${(probe.sampleRate / 1e6).toFixed(3)} MS/s at ${(probe.centerFrequency / 1e6).toFixed(4)} MHz); Ctrl-C stops\n`,
    );
    await untilStopped(ctx.signal);
    await server.close();
    return 0;
  },
};
