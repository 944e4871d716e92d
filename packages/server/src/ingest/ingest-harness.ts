/** Test harness for ingest and live: frames, a listening server, WebSocket clients that wait for messages. */
import { encodeDetections, encodeSpectrumFrame, type DetectionRecord } from '@heimdall/protocol';
import { WebSocket, type RawData } from 'ws';
import type { Harness } from '../http/server-harness.ts';

export function spectrum(
  nodeId: string,
  sequence: number,
  options: { centerHz?: number; bins?: number } = {},
): Uint8Array {
  const n = options.bins ?? 64;
  const bins = new Uint8Array(n);
  for (let i = 0; i < n; i++) bins[i] = (i * 7 + sequence) % 200;
  return encodeSpectrumFrame({
    nodeId,
    sequence,
    captureTimeNs: BigInt(Date.parse('2026-06-01T12:00:00Z') + sequence * 100) * 1_000_000n,
    centerHz: options.centerHz ?? 100e6,
    sampleRateHz: 2.4e6,
    fftSize: n,
    refDb: -120,
    stepDb: 0.5,
    bins,
  });
}

export function detections(
  nodeId: string,
  sequence: number,
  records: readonly Partial<DetectionRecord>[],
): Uint8Array {
  const t0 = BigInt(Date.parse('2026-06-01T12:00:00Z')) * 1_000_000n + BigInt(sequence) * 1_000_000_000n;
  return encodeDetections({
    nodeId,
    sequence,
    captureTimeNs: t0,
    detections: records.map((r, i) => ({
      startTimeNs: t0 + BigInt(i) * 1000n,
      endTimeNs: t0 + BigInt(i) * 1000n + 500_000_000n,
      freqLowHz: 99.9e6,
      freqHighHz: 100.1e6,
      snrDb: 20,
      powerDbfs: -40,
      label: 'fm',
      ...r,
    })),
  });
}

export async function listen(h: Harness): Promise<string> {
  const address = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
  return address.replace(/^http/, 'ws');
}

/** A WebSocket client that queues what it receives, and how it closed. */
export class TestSocket {
  readonly messages: RawData[] = [];
  readonly texts: unknown[] = [];
  readonly binaries: Uint8Array[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.messages.push(data);
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (isBinary) this.binaries.push(new Uint8Array(buf));
      else this.texts.push(JSON.parse(buf.toString('utf8')));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static open(
    url: string,
    headers: Record<string, string> = {},
    options: { autoPong?: boolean } = {},
  ): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, ...options });
      const s = new TestSocket(ws);
      ws.once('open', () => resolve(s));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Resolves once `done()` holds, re-checked after every message and on close; rejects after 10 s. */
  until(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else if (this.closed !== undefined && !done()) {
          clearTimeout(timer);
          reject(
            new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`),
          );
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  untilClosed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), 10_000);
      const check = () => {
        if (this.closed !== undefined) {
          clearTimeout(timer);
          resolve(this.closed);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  close(): void {
    this.ws.close();
  }
}
