/**
 * `heimdall agent`: runs one receiver node. Enrolls once with a token, then measures with its
 * receiver, spools every frame on disk and delivers it to the server, sends heartbeats and follows
 * the server's scan plan. Plain log lines on stderr; Ctrl-C (SIGINT) or SIGTERM stops it cleanly
 * (exit 0) with unacknowledged frames kept in the spool for the next start.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  Agent,
  createEdge,
  enroll,
  lineLogger,
  readCredentials,
  scanPlanFromWire,
  toEdgeLogger,
  writeCredentials,
  type AgentLogger,
  type ScanPlan,
} from '@heimdall/agent';
import { UserError } from '@heimdall/errors';
import { scanBandSchema } from '@heimdall/protocol';
import {
  parseCommandArgs,
  parseQuantity,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.ts';
import { parseLocation, parseSize } from './agent-options.ts';

const help = `usage: heimdall agent --server URL --receiver URL [--enroll TOKEN [--name NAME] [--location LAT,LON]]
                      [--plan FILE | --center F --span S [--fft N] [--fps R]] [--data DIR] [--spool-cap SIZE]

Runs a receiver node: measures spectra with the receiver, keeps every frame in an on-disk spool
until the server has stored it, and sends heartbeats. The first start enrolls the node with a
one-time token from an operator; the node id and API key are kept in DIR/credentials.json
(mode 0600), so later starts need only --server and --receiver.

options:
  --server URL        the Heimdall server, e.g. http://10.0.0.2:8080 (default: the one enrolled with)
  --receiver URL      rtl-tcp://HOST:PORT[?freq=F], sigmf:///path/rec.sigmf-meta or sim://SCENARIO#NODE
  --enroll TOKEN      one-time enrollment token (first start only)
  --name NAME         node name when enrolling (default: the host name)
  --location LAT,LON  antenna position when enrolling, degrees (e.g. 52.24,6.85)
  --plan FILE         scan plan, JSON: {"bands": [{"center_hz": ..., "span_hz": ..., "fft_size": ...,
                      "frames_per_second": ..., "averaging": ..., "threshold_db": ...}]}
  --center F          one band at this centre frequency (Hz, k/M/G suffixes)
  --span S            its span (wider than the receiver's sample rate sweeps in hops)
  --fft N             FFT size (default 2048)
  --fps R             frames per second (default 5)
  --averaging N       Welch segments per frame (default 16)
  --threshold DB      detection threshold above the noise floor (default 10)
  --data DIR          agent folder (default: $HEIMDALL_DATA_DIR/agent)
  --spool-cap SIZE    most disk the spool may use, e.g. 512M, 2G (default 1G); oldest frames go first
  --heartbeat S       seconds between heartbeats (default 10)

A server plan for the node (GET /api/v1/nodes/:id/scan-plan) replaces the local one.

example:
  heimdall agent --server http://10.0.0.2:8080 --enroll hne_... --name roof --receiver rtl-tcp://127.0.0.1:1234 --center 145.5M --span 2M
  heimdall agent --server http://10.0.0.2:8080 --receiver rtl-tcp://127.0.0.1:1234 --center 145.5M --span 2M`;

function loadPlanFile(path: string): ScanPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read the scan plan: ${e instanceof Error ? e.message : String(e)}`, {
      source: path,
      fix: 'give a JSON file with a "bands" array (see heimdall agent --help)',
    });
  }
  const bands = (raw as { bands?: unknown } | null)?.bands;
  if (!Array.isArray(bands) || bands.length === 0 || bands.length > 64)
    throw new UserError('needs a "bands" array of 1 to 64 bands', { source: path, field: 'bands' });
  const parsed = bands.map((b: unknown, i) => {
    const r = scanBandSchema.safeParse(b);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    throw new UserError(issue?.message ?? 'is not a scan band', {
      source: path,
      field: `bands[${i}]${issue === undefined || issue.path.length === 0 ? '' : `.${issue.path.map(String).join('.')}`}`,
    });
  });
  return scanPlanFromWire({ id: null, version: 0, bands: parsed });
}

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run a receiver node: measure, spool, deliver to the server, heartbeats',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(
      ctx,
      agentCommand,
      {
        server: { type: 'string' },
        receiver: { type: 'string' },
        enroll: { type: 'string' },
        name: { type: 'string' },
        location: { type: 'string' },
        plan: { type: 'string' },
        center: { type: 'string' },
        span: { type: 'string' },
        fft: { type: 'string' },
        fps: { type: 'string' },
        averaging: { type: 'string' },
        threshold: { type: 'string' },
        data: { type: 'string' },
        'spool-cap': { type: 'string' },
        heartbeat: { type: 'string' },
      },
      false,
    );
    if (!args) return 0;
    const v = args.values;
    if (v.receiver === undefined)
      throw new UsageError('--receiver URL is required (e.g. rtl-tcp://127.0.0.1:1234)');
    const dataDir = v.data ?? join(ctx.config.dataDir, 'agent');
    const spoolCap = v['spool-cap'] === undefined ? undefined : parseSize('spool-cap', v['spool-cap']);
    const heartbeatS = parseQuantity('heartbeat', v.heartbeat) ?? 10;
    if (!(heartbeatS >= 1 && heartbeatS <= 3600))
      throw new UsageError(`--heartbeat must be 1-3600 s (got ${heartbeatS})`);
    const plan = planFromArgs(v);
    const logger: AgentLogger = lineLogger((l) => ctx.stderr.write(l));

    // the receiver URL and plan are checked before enrolling, so a typo does not use up a token
    const edge = createEdge({
      url: v.receiver,
      ...(plan === undefined ? {} : { plan }),
      logger: toEdgeLogger(logger),
    });
    let credentials = readCredentials(dataDir);
    const server = v.server ?? credentials?.server;
    if (server === undefined) throw new UsageError('--server URL is required (e.g. http://10.0.0.2:8080)');
    checkServerUrl(server);
    if (credentials === undefined) {
      if (v.enroll === undefined)
        throw new UserError(`this agent has not enrolled yet (no credentials in ${dataDir})`, {
          field: '--enroll',
          fix: 'pass --enroll TOKEN with a token from an operator (POST /api/v1/enrollment-tokens)',
        });
      const location = v.location === undefined ? undefined : parseLocation(v.location);
      credentials = await enroll({
        serverUrl: server,
        token: v.enroll,
        name: v.name ?? hostname(),
        ...(location === undefined ? {} : { location }),
        capabilities: { receivers: [v.receiver.replace(/\/\/[^@/]*@/, '//')] },
      });
      writeCredentials(dataDir, credentials);
      logger.info('enrolled', {
        node: credentials.name,
        node_id: credentials.nodeId,
        credentials: join(dataDir, 'credentials.json'),
      });
    } else if (v.enroll !== undefined) {
      logger.warn(
        `already enrolled as "${credentials.name}" (${credentials.nodeId}); --enroll is ignored (delete ${join(dataDir, 'credentials.json')} to enroll again)`,
      );
    }

    const agent = new Agent({
      dataDir,
      serverUrl: server,
      credentials,
      edge,
      logger,
      heartbeatIntervalMs: heartbeatS * 1000,
      ...(spoolCap === undefined ? {} : { spoolCapBytes: spoolCap }),
    });
    logger.info('agent started', {
      node: credentials.name,
      node_id: credentials.nodeId,
      server,
      receiver: edge.status().url,
      spool_frames: agent.spool.stats().frames,
    });
    await agent.run(ctx.signal);
    return 0;
  },
};

function checkServerUrl(server: string): void {
  let u: URL;
  try {
    u = new URL(server);
  } catch {
    throw new UsageError(`--server must be a URL such as http://10.0.0.2:8080 (got "${server}")`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol))
    throw new UsageError(`--server must use http or https (got "${server}")`);
}

function planFromArgs(v: Record<string, string | boolean | undefined>): ScanPlan | undefined {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  if (str('plan') !== undefined) {
    if (str('center') !== undefined) throw new UsageError('give either --plan or --center/--span, not both');
    return loadPlanFile(str('plan') as string);
  }
  const center = parseQuantity('center', str('center'));
  const span = parseQuantity('span', str('span'));
  if (center === undefined && span === undefined) {
    for (const k of ['fft', 'fps', 'averaging', 'threshold'])
      if (str(k) !== undefined) throw new UsageError(`--${k} needs --center and --span`);
    return undefined;
  }
  if (center === undefined || span === undefined) throw new UsageError('--center and --span go together');
  const band = {
    center_hz: center,
    span_hz: span,
    fft_size: parseQuantity('fft', str('fft')) ?? 2048,
    frames_per_second: parseQuantity('fps', str('fps')) ?? 5,
    averaging: parseQuantity('averaging', str('averaging')) ?? 16,
    threshold_db: parseQuantity('threshold', str('threshold')) ?? 10,
  };
  const r = scanBandSchema.safeParse(band);
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = {
      center_hz: 'center',
      span_hz: 'span',
      fft_size: 'fft',
      frames_per_second: 'fps',
      averaging: 'averaging',
      threshold_db: 'threshold',
    }[String(issue?.path[0]) as 'center_hz'];
    throw new UsageError(`--${flag ?? 'center'}: ${issue?.message ?? 'invalid'}`);
  }
  return scanPlanFromWire({ id: null, version: 0, bands: [r.data] });
}
