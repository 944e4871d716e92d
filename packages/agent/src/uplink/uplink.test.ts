import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import type { AgentLogger } from '../agent-logger.ts';
import type { Credentials } from '../node/credentials.ts';
import { QUARANTINE_FILE, Spool } from '../spool/spool.ts';
import { RECORD_HEADER_BYTES, scanRecords } from '../spool/spool-record.ts';
import { testFrame } from '../spool/test-frames.ts';
import { startTestServer, waitFor, type TestServer } from './agent-server-harness.ts';
import { ingestUrl, Uplink, type UplinkOptions } from './uplink.ts';

function spoolFor(nodeId: string, dir = mkdtempSync(join(tmpdir(), 'heimdall-uplink-'))): Spool {
  return Spool.open({ dir, nodeId, fsyncIntervalMs: 20 });
}

function recordingLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => {
    lines.push(`${level} ${m}`);
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A TCP proxy in front of `target` that can cut every connection through it. */
async function proxy(targetPort: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const fast = { backoff: { baseMs: 50, maxMs: 400 }, refusedRetryMs: 300 };

/** Runs an uplink of `creds`' node from `spool` to `serverUrl`; `stop()` ends it and closes the spool. */
function startUplink(
  serverUrl: string,
  creds: Credentials,
  spool: Spool,
  extra: Partial<UplinkOptions> = {},
): { uplink: Uplink; log: ReturnType<typeof recordingLogger>; stop(): Promise<void> } {
  const log = recordingLogger();
  const ctl = new AbortController();
  const uplink = new Uplink({
    serverUrl,
    apiKey: creds.apiKey,
    nodeId: creds.nodeId,
    spool,
    logger: log,
    ...fast,
    ...extra,
  });
  const done = uplink.run(ctl.signal);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      ctl.abort();
      await done;
      spool.close();
    })());
  opened.push(stop);
  return { uplink, log, stop };
}

/**
 * What a test opened (servers, uplinks), closed after it whether it passed or not: a failed test
 * must not leave a server or an uplink running, or the test process never exits. Closing twice is
 * harmless.
 */
const opened: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close().catch(() => undefined);
});

async function testServer(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const srv = await startTestServer(...args);
  opened.push(() => srv.close());
  return srv;
}

/**
 * Rewrites the spooled frame `sequence` in `dir` with an unknown protocol version (byte 4) and a
 * matching CRC: the spool takes it as sound, the server refuses it (1002 frame:unsupported_version).
 */
function corruptSpooledFrame(dir: string, sequence: number): void {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.spool'))) {
    const bytes = readFileSync(join(dir, name));
    const rec = scanRecords(bytes).records.find((r) => r.sequence === sequence);
    if (rec === undefined) continue;
    const payload = bytes.subarray(rec.offset + RECORD_HEADER_BYTES, rec.offset + rec.length);
    payload[4] = 99;
    bytes.writeUInt32LE(crc32(payload), rec.offset + 4);
    writeFileSync(join(dir, name), bytes);
    return;
  }
  throw new Error(`no spooled frame ${sequence} in ${dir}`);
}

describe('Uplink', () => {
  it('builds the ingest URL from the server URL', () => {
    assert.equal(ingestUrl('http://10.0.0.1:8080'), 'ws://10.0.0.1:8080/api/v1/ingest');
    assert.equal(ingestUrl('https://h.example/heimdall/'), 'wss://h.example/heimdall/api/v1/ingest');
  });

  it('delivers every spooled frame once, in order, and empties the spool', async () => {
    const srv = await testServer();
    const creds = await srv.enroll();
    const spool = spoolFor(creds.nodeId);
    for (let i = 0; i < 300; i++) spool.push(testFrame(i));
    const { uplink, stop } = startUplink(srv.url, creds, spool, { windowFrames: 32 });
    await waitFor('the spool to empty', () => spool.stats().frames === 0);
    const node = await srv.node(creds.nodeId);
    assert.deepEqual(node.ingest, { frames_received: 300, duplicates: 0, sequence_gaps: 0 });
    assert.ok(uplink.status().framesSent >= 300);
    await stop();
    await srv.close();
  });

  it('loses nothing while the connection is cut again and again, live frames flowing', async () => {
    const srv = await testServer();
    const creds = await srv.enroll();
    const px = await proxy(Number(new URL(srv.url).port));
    const spool = spoolFor(creds.nodeId);
    const { uplink, log, stop } = startUplink(`http://127.0.0.1:${px.port}`, creds, spool);
    let made = 0;
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 40; i++) spool.push(testFrame(made++));
      await new Promise((r) => setTimeout(r, 60 + 40 * (round % 3)));
      px.cut();
    }
    await waitFor('the spool to empty', () => spool.stats().frames === 0, 30_000);
    const node = await srv.node(creds.nodeId);
    assert.equal(node.ingest.frames_received, made);
    assert.equal(node.ingest.sequence_gaps, 0);
    assert.ok(uplink.status().connections > 3, `only ${uplink.status().connections} connections`);
    assert.ok(
      log.lines.some((l) => /uplink: the connection to .* closed|cannot reach/.test(l)),
      log.lines.join('\n'),
    );
    await stop();
    await px.close();
    await srv.close();
  });

  it('keeps spooling while the server is unreachable, says so, and delivers once it is there', async () => {
    const first = await testServer();
    const creds = await first.enroll();
    const port = Number(new URL(first.url).port);
    await first.close(true);
    const spool = spoolFor(creds.nodeId);
    const { uplink, log, stop } = startUplink(first.url, creds, spool);
    for (let i = 0; i < 50; i++) spool.push(testFrame(i));
    await waitFor('a clear log line', () =>
      log.lines.some((l) => /cannot reach the server .*ECONNREFUSED/.test(l)),
    );
    assert.match(log.lines.join('\n'), /frames stay in the spool, retrying in/);
    assert.equal(uplink.status().state, 'waiting');
    assert.equal(spool.stats().frames, 50);
    const again = await testServer({ port, db: first.db });
    await waitFor('the spool to empty', () => spool.stats().frames === 0);
    assert.equal((await again.node(creds.nodeId)).ingest.frames_received, 50);
    assert.ok(log.lines.some((l) => /uplink: connected/.test(l)));
    await stop();
    await again.close();
  });

  it('on a revoked key logs it clearly, keeps the frames, and recovers when the key works again', async () => {
    const srv = await testServer();
    const creds = await srv.enroll();
    await srv.revokeKeys(creds.nodeId);
    const spool = spoolFor(creds.nodeId);
    for (let i = 0; i < 20; i++) spool.push(testFrame(i));
    const { uplink, log, stop } = startUplink(srv.url, creds, spool);
    await waitFor('the refusal', () => uplink.status().state === 'refused');
    assert.match(
      log.lines.join('\n'),
      /error uplink: the server .* refused this node's API key \(HTTP 401\)/,
    );
    assert.doesNotMatch(log.lines.join('\n'), new RegExp(creds.apiKey), 'the key is never logged');
    assert.equal(spool.stats().frames, 20);
    await srv.revokeKeys(creds.nodeId, false);
    await waitFor('the spool to empty', () => spool.stats().frames === 0);
    assert.equal((await srv.node(creds.nodeId)).ingest.frames_received, 20);
    await stop();
    await srv.close();
  });

  it('moves a frame the server keeps refusing as malformed to the quarantine file and delivers the rest', async () => {
    const srv = await testServer();
    const creds = await srv.enroll();
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-uplink-'));
    const before = spoolFor(creds.nodeId, dir);
    for (let i = 0; i < 40; i++) before.push(testFrame(i));
    before.close();
    corruptSpooledFrame(dir, 17);
    const spool = spoolFor(creds.nodeId, dir);
    assert.equal(spool.stats().frames, 40, 'the corrupted record passes the spool CRC');
    const { log, stop } = startUplink(srv.url, creds, spool);
    await waitFor('the spool to empty', () => spool.stats().frames === 0);
    assert.equal((await srv.node(creds.nodeId)).ingest.frames_received, 39);
    assert.equal(spool.stats().quarantined, 1);
    assert.equal(spool.stats().dropped, 1, 'counted as dropped (heartbeat spool_dropped)');
    const quarantineFile = join(dir, QUARANTINE_FILE);
    assert.match(
      log.lines.join('\n'),
      new RegExp(
        `error uplink: the server refused frame 17 3 times \\(1002 frame:unsupported_version\\); moved it out of the spool to ${quarantineFile}`,
      ),
    );
    const lines = readFileSync(quarantineFile, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1);
    const entry = JSON.parse(lines[0] as string) as { sequence: number; why: string; frame_base64: string };
    assert.equal(entry.sequence, 17);
    assert.match(entry.why, /1002 frame:unsupported_version/);
    assert.equal(Buffer.from(entry.frame_base64, 'base64')[4], 99, 'the refused bytes are kept as they were');
    await stop();

    // after a restart the quarantined frame is not offered again
    const reopened = spoolFor(creds.nodeId, dir);
    const again = startUplink(srv.url, creds, reopened);
    await waitFor('the spool to empty again', () => reopened.stats().frames === 0);
    assert.equal(reopened.stats().quarantined, 0);
    assert.equal(readFileSync(quarantineFile, 'utf8').trim().split('\n').length, 1);
    assert.equal((await srv.node(creds.nodeId)).ingest.frames_received, 39);
    await again.stop();
    await srv.close();
  });
});
