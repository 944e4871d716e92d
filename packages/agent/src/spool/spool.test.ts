import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OperationalError } from '@heimdall/errors';
import { decodeFrame } from '@heimdall/protocol';
import { QUARANTINE_FILE, Spool, type SpooledFrame } from './spool.ts';
import { testFrame } from './test-frames.ts';

const NODE = '6f1c2a4e-1b2c-4d5e-8f90-123456789abc';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'heimdall-spool-'));
}

/** Everything the uplink would send now, in order. */
function drain(spool: Spool): SpooledFrame[] {
  const out: SpooledFrame[] = [];
  let after = -1;
  for (let f = spool.next(after); f !== undefined; f = spool.next(after)) {
    out.push(f);
    after = f.sequence;
  }
  return out;
}

describe('Spool', () => {
  it('numbers frames from 0, stamps the node id, and offers them only once synced', () => {
    const spool = Spool.open({ dir: dir(), nodeId: NODE });
    assert.equal(spool.push(testFrame(0)), 0);
    assert.equal(spool.push(testFrame(1)), 1);
    assert.equal(spool.next(-1), undefined, 'offered before fsync');
    spool.sync();
    const frames = drain(spool);
    assert.deepEqual(
      frames.map((f) => f.sequence),
      [0, 1],
    );
    const decoded = decodeFrame(frames[1]?.bytes as Uint8Array);
    assert.equal(decoded.kind, 'spectrum');
    assert.equal(decoded.kind === 'spectrum' && decoded.nodeId, NODE);
    assert.equal(decoded.kind === 'spectrum' && decoded.sequence, 1);
    spool.close();
  });

  it('keeps unacknowledged frames and the numbering across a restart', () => {
    const d = dir();
    const a = Spool.open({ dir: d, nodeId: NODE });
    for (let i = 0; i < 10; i++) a.push(testFrame(i));
    a.sync();
    a.ack(4, [6]);
    a.close();
    const b = Spool.open({ dir: d, nodeId: NODE });
    assert.deepEqual(
      drain(b).map((f) => f.sequence),
      [4, 5, 6, 7, 8, 9],
      'the ack floor is kept; the one acked above it is resent (the server drops it as a duplicate)',
    );
    assert.equal(b.push(testFrame(10)), 10);
    assert.equal(b.stats().frames, 7);
    b.close();
  });

  it('after a crash (no close) cuts a torn last record off and never offers it', () => {
    const d = dir();
    const a = Spool.open({ dir: d, nodeId: NODE });
    for (let i = 0; i < 5; i++) a.push(testFrame(i));
    a.sync();
    // the process dies while appending record 5: only part of it reached the file
    const seg = readdirSync(d).find((n) => n.endsWith('.spool')) as string;
    appendFileSync(join(d, seg), Buffer.from([0x4c, 0x01, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x48, 0x4d]));
    const b = Spool.open({ dir: d, nodeId: NODE });
    assert.deepEqual(
      drain(b).map((f) => f.sequence),
      [0, 1, 2, 3, 4],
    );
    assert.equal(b.push(testFrame(5)), 5, 'the torn record was never sent, so its number is reused');
    b.sync();
    assert.equal(drain(b).length, 6);
    b.close();
    a.close();
  });

  it('detects a flipped byte inside a record by its CRC', () => {
    const d = dir();
    const a = Spool.open({ dir: d, nodeId: NODE });
    for (let i = 0; i < 3; i++) a.push(testFrame(i));
    a.close();
    const seg = join(d, readdirSync(d).find((n) => n.endsWith('.spool')) as string);
    const bytes = readFileSync(seg);
    const at = Math.floor((bytes.length / 3) * 2.5);
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(seg, bytes);
    const b = Spool.open({ dir: d, nodeId: NODE });
    assert.deepEqual(
      drain(b).map((f) => f.sequence),
      [0, 1],
    );
    b.close();
  });

  it('quarantines a frame: keeps its bytes in quarantine.jsonl, never offers it again, even after a restart', () => {
    const d = dir();
    const spool = Spool.open({ dir: d, nodeId: NODE });
    for (let i = 0; i < 5; i++) spool.push(testFrame(i));
    spool.sync();
    const sent = drain(spool)[2] as SpooledFrame;
    const file = spool.quarantine(2, 'refused 3 times (1002 frame:unsupported_version)');
    assert.equal(file, join(d, QUARANTINE_FILE));
    assert.equal(spool.quarantine(2, 'again'), undefined, 'a frame is quarantined once');
    assert.deepEqual(
      drain(spool).map((f) => f.sequence),
      [0, 1, 3, 4],
    );
    assert.equal(spool.firstPending(), 0);
    assert.deepEqual([spool.stats().frames, spool.stats().quarantined, spool.stats().dropped], [4, 1, 1]);
    const entry = JSON.parse(readFileSync(file as string, 'utf8')) as Record<string, unknown>;
    assert.equal(entry['sequence'], 2);
    assert.equal(entry['why'], 'refused 3 times (1002 frame:unsupported_version)');
    assert.deepEqual(Buffer.from(String(entry['frame_base64']), 'base64'), Buffer.from(sent.bytes));
    spool.close();

    const again = Spool.open({ dir: d, nodeId: NODE });
    assert.deepEqual(
      drain(again).map((f) => f.sequence),
      [0, 1, 3, 4],
    );
    again.ack(5);
    assert.equal(again.stats().frames, 0);
    again.close();
    const state = JSON.parse(readFileSync(join(d, 'state.json'), 'utf8')) as { quarantined: number[] };
    assert.deepEqual(state.quarantined, [], 'forgotten once the ack floor passed it');
  });

  it('deletes segments once the server acknowledged all their frames', () => {
    const d = dir();
    const s = Spool.open({ dir: d, nodeId: NODE, capBytes: 1 << 20, segmentBytes: 8192 });
    for (let i = 0; i < 200; i++) s.push(testFrame(i));
    s.sync();
    const before = readdirSync(d).filter((n) => n.endsWith('.spool')).length;
    assert.ok(before > 3, `${before} segments`);
    s.ack(200);
    assert.equal(readdirSync(d).filter((n) => n.endsWith('.spool')).length, 1, 'the newest segment stays');
    assert.equal(s.stats().frames, 0);
    assert.equal(s.next(-1), undefined);
    s.close();
    const again = Spool.open({ dir: d, nodeId: NODE });
    assert.equal(again.push(testFrame(200)), 200, 'numbering continues after everything was acked');
    again.close();
  });

  it('drops the oldest frames past the cap and counts them', () => {
    const d = dir();
    const s = Spool.open({ dir: d, nodeId: NODE, capBytes: 64 * 1024, segmentBytes: 8192 });
    for (let i = 0; i < 1000; i++) s.push(testFrame(i));
    s.sync();
    const st = s.stats();
    assert.ok(st.bytes <= 64 * 1024, `${st.bytes} bytes on disk`);
    assert.ok(st.dropped > 700, `${st.dropped} dropped`);
    assert.equal(st.frames + st.dropped, 1000);
    const kept = drain(s);
    assert.equal(kept[kept.length - 1]?.sequence, 999, 'the newest frames are kept');
    s.close();
  });

  it('refuses a push on a full disk with an OperationalError, keeps its numbering, and resumes', () => {
    let full = false;
    const s = Spool.open({
      dir: dir(),
      nodeId: NODE,
      write: (fd, data, position) => {
        if (full)
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return execWrite(fd, data, position);
      },
    });
    s.push(testFrame(0));
    full = true;
    assert.throws(
      () => s.push(testFrame(1)),
      (e: unknown) => e instanceof OperationalError && /disk .* is full/.test(e.message),
    );
    full = false;
    assert.equal(s.push(testFrame(1)), 1);
    s.sync();
    assert.deepEqual(
      drain(s).map((f) => f.sequence),
      [0, 1],
    );
    assert.equal(s.stats().writeErrors, 1);
    s.close();
  });

  it('on a really full file system (a 256 KiB tmpfs) refuses pushes, then resumes when space is freed', (t) => {
    const mnt = dir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      t.skip('cannot mount a tmpfs here (needs root); the injected-ENOSPC test covers the logic');
      return;
    }
    try {
      const spoolDir = join(mnt, 'spool');
      mkdirSync(spoolDir);
      const s = Spool.open({ dir: spoolDir, nodeId: NODE, capBytes: 8 << 20, segmentBytes: 64 * 1024 });
      let refused: unknown;
      let pushed = 0;
      for (let i = 0; i < 10_000 && refused === undefined; i++) {
        try {
          s.push(testFrame(i, 4096));
          pushed++;
        } catch (e) {
          refused = e;
        }
      }
      assert.ok(refused instanceof OperationalError, String(refused));
      assert.match(refused.message, /full/);
      s.sync();
      assert.equal(drain(s).length, pushed, 'every stored frame is intact');
      s.ack(pushed); // the server took them: their segments go, space returns
      assert.equal(s.push(testFrame(pushed, 4096)), pushed);
      s.close();
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

function execWrite(fd: number, data: Uint8Array, position: number): number {
  return writeSync(fd, data, 0, data.length, position);
}
