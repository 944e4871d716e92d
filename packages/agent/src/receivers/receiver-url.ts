/**
 * Receiver URLs: which receiver the edge runs on, and how.
 *
 * - `rtl-tcp://HOST:PORT?rate=2.4M&gain=30&ppm=0&freq=145.5M&stall=3` - an rtl_tcp server (a real
 *   dongle's `rtl_tcp`, or `heimdall sim serve`). `gain` in dB or `auto`; `freq` is only the tuning
 *   for a plan made from the URL (see `defaultScanPlan`); `stall` the seconds without bytes after
 *   which the connection counts as stalled.
 * - `sigmf:///ABS/PATH/rec.sigmf-meta?speed=max&loop=1` - replay of a SigMF recording (pair or
 *   `.sigmf` archive), at real time (default) or `speed=max`, optionally looping.
 * - `sim://SCENARIO?rate=2.4M&start=120#NODE` - a node of a simulated scenario in this process:
 *   `sim://demo#twente`, or a scenario file `sim:///abs/scene.yaml#site-a` (`start`: scenario seconds
 *   at start-up).
 */
import { UserError } from '@heimdall/errors';

export interface RtlTcpUrl {
  readonly kind: 'rtl-tcp';
  readonly host: string;
  readonly port: number;
  readonly sampleRate: number;
  readonly gainDb: number | 'auto';
  readonly ppm: number;
  readonly freqHz: number | undefined;
  readonly stallS: number;
  /** The URL with any credentials removed (for status and logs). */
  readonly display: string;
}

export interface SigmfUrl {
  readonly kind: 'sigmf';
  readonly path: string;
  readonly speed: 'realtime' | 'max';
  readonly loop: boolean;
  readonly display: string;
}

export interface SimUrl {
  readonly kind: 'sim';
  /** A built-in scenario name (`demo`) or a scenario file path. */
  readonly scenario: string;
  readonly node: string;
  readonly sampleRate: number | undefined;
  readonly startS: number;
  readonly display: string;
}

export type ReceiverUrl = RtlTcpUrl | SigmfUrl | SimUrl;

const EXAMPLES =
  'rtl-tcp://127.0.0.1:1234?rate=2.4M, sigmf:///data/rec.sigmf-meta?speed=max&loop=1 or sim://demo#twente';

function bad(url: string, problem: string, fix: string): UserError {
  return new UserError(problem, { source: url, field: 'receiver URL', fix });
}

/** "2.4M", "433.92M", "12.5k", "30": a number with an optional k/M/G suffix. */
function quantity(url: string, name: string, text: string, example: string): number {
  const m = /^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)([kMG]?)$/i.exec(text.trim());
  const scale: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };
  const v = m === null ? Number.NaN : Number(m[1]) * (scale[(m[2] ?? '').toLowerCase()] ?? Number.NaN);
  if (!Number.isFinite(v)) {
    throw bad(
      url,
      `query parameter ${name}=${JSON.stringify(text)} is not a number`,
      `write e.g. ${name}=${example}`,
    );
  }
  return v;
}

function checkQuery(url: string, params: URLSearchParams, allowed: readonly string[]): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) {
      throw bad(
        url,
        `unknown query parameter "${key}"`,
        `this receiver takes ${allowed.map((a) => `"${a}"`).join(', ')}`,
      );
    }
  }
}

function displayOf(u: URL): string {
  const copy = new URL(u.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/**
 * Parses a receiver URL; throws a UserError naming the wrong part, with an example, for anything
 * it cannot use.
 */
export function parseReceiverUrl(url: string): ReceiverUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(url, 'is not a receiver URL', `write one of ${EXAMPLES}`);
  }
  const q = u.searchParams;
  switch (u.protocol) {
    case 'rtl-tcp:':
    case 'rtltcp:': {
      checkQuery(url, q, ['rate', 'gain', 'ppm', 'freq', 'stall']);
      if (u.hostname === '')
        throw bad(url, 'rtl-tcp URL has no host', 'write rtl-tcp://HOST:PORT, e.g. rtl-tcp://127.0.0.1:1234');
      const port = u.port === '' ? 1234 : Number(u.port);
      const rate = q.has('rate') ? quantity(url, 'rate', q.get('rate') ?? '', '2.4M') : 2.4e6;
      if (!((rate > 225e3 && rate <= 300e3) || (rate > 900e3 && rate <= 3.2e6))) {
        throw bad(
          url,
          `rtl_tcp sample rate ${rate} Hz is outside what an RTL2832 delivers`,
          'use rate=2.4M (or 0.9M..3.2M, 225k..300k)',
        );
      }
      const gainText = q.get('gain');
      const gainDb =
        gainText === null || gainText === 'auto'
          ? 'auto'
          : quantity(url, 'gain', gainText, '30 (dB) or gain=auto');
      const ppm = q.has('ppm') ? quantity(url, 'ppm', q.get('ppm') ?? '', '0') : 0;
      if (!Number.isInteger(ppm) || Math.abs(ppm) > 1000) {
        throw bad(url, `ppm=${ppm} is not a whole number of ppm within +-1000`, 'write e.g. ppm=-2');
      }
      const stallS = q.has('stall') ? quantity(url, 'stall', q.get('stall') ?? '', '3') : 3;
      if (!(stallS > 0))
        throw bad(url, `stall=${stallS} must be a positive number of seconds`, 'write e.g. stall=3');
      const freqHz = q.has('freq') ? quantity(url, 'freq', q.get('freq') ?? '', '145.5M') : undefined;
      return {
        kind: 'rtl-tcp',
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port,
        sampleRate: rate,
        gainDb,
        ppm,
        freqHz,
        stallS,
        display: displayOf(u),
      };
    }
    case 'sigmf:':
    case 'file:': {
      checkQuery(url, q, ['speed', 'loop']);
      if (u.hostname !== '' || !u.pathname.startsWith('/')) {
        throw bad(
          url,
          'sigmf URL must hold an absolute path',
          'write sigmf:///abs/path/rec.sigmf-meta (three slashes)',
        );
      }
      const speed = q.get('speed') ?? 'realtime';
      if (speed !== 'realtime' && speed !== 'max' && speed !== '1') {
        throw bad(
          url,
          `speed=${speed} is not a replay speed`,
          'write speed=max (as fast as possible) or leave it out (real time)',
        );
      }
      const loop = q.get('loop') ?? '0';
      if (!['0', '1', 'true', 'false'].includes(loop))
        throw bad(url, `loop=${loop} is not 0 or 1`, 'write loop=1 to replay forever');
      return {
        kind: 'sigmf',
        path: decodeURIComponent(u.pathname),
        speed: speed === 'max' ? 'max' : 'realtime',
        loop: loop === '1' || loop === 'true',
        display: displayOf(u),
      };
    }
    case 'sim:': {
      checkQuery(url, q, ['rate', 'start']);
      const scenario = decodeURIComponent(u.hostname + u.pathname);
      const node = decodeURIComponent(u.hash.replace(/^#/, ''));
      if (scenario === '')
        throw bad(url, 'sim URL names no scenario', 'write sim://demo#twente or sim:///abs/scene.yaml#node');
      if (node === '')
        throw bad(
          url,
          'sim URL names no node after "#"',
          `write sim://${scenario}#NODE, e.g. sim://demo#twente`,
        );
      if (node.includes('?')) {
        throw bad(
          url,
          `sim node "${node}" holds a "?"`,
          'put query parameters before the "#": sim://demo?start=120#twente',
        );
      }
      const sampleRate = q.has('rate') ? quantity(url, 'rate', q.get('rate') ?? '', '2.4M') : undefined;
      const startS = q.has('start') ? quantity(url, 'start', q.get('start') ?? '', '120') : 0;
      if (startS < 0)
        throw bad(url, `start=${startS} is before the scenario starts`, 'write start=0 or more seconds');
      return { kind: 'sim', scenario, node, sampleRate, startS, display: displayOf(u) };
    }
    default:
      throw bad(
        url,
        `unknown receiver scheme "${u.protocol.replace(/:$/, '')}"`,
        `use rtl-tcp, sigmf or sim, e.g. ${EXAMPLES}`,
      );
  }
}
