import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { UserError } from '@heimdall/errors';
import {
  detectionQuerySchema,
  heartbeatQuerySchema,
  nodeQuerySchema,
  type HeartbeatInput,
} from '@heimdall/protocol';
import type { Database } from '../database/database.ts';
import { forEachDatabase } from '../database/for-each-database.ts';
import { encodeCursor } from './cursor.ts';
import { DetectionRepository, type NewDetection } from './detection.repository.ts';
import { HeartbeatRepository } from './heartbeat.repository.ts';
import { NodeRepository } from './node.repository.ts';
import { SpectrumTileRepository } from './spectrum-tile.repository.ts';

const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const SEC = 1_000_000_000n;

function heartbeat(time: string): HeartbeatInput {
  return {
    time,
    cpu_percent: 12.5,
    memory_used_bytes: 1e9,
    memory_total_bytes: 4e9,
    disk_free_bytes: 5e10,
    temperature_c: 48,
    sample_drops: 3,
    clock_source: 'gps',
    clock_offset_ms: 0.25,
  };
}

forEachDatabase((name, makeDb) => {
  let db: Database;
  before(async () => {
    db = await makeDb();
  });
  after(() => db.close());

  test(`${name}: nodes list by name in pages, with status from heartbeats and ingest counters`, async () => {
    let now = Date.parse('2026-01-01T00:10:00Z');
    const nodes = new NodeRepository(db, { offlineAfterMs: 60_000, now: () => now });
    const made = [];
    for (const n of ['delta', 'alpha', 'charlie', 'bravo', 'echo']) {
      made.push(
        await nodes.create({
          name: `st-${n}`,
          groups: n < 'c' ? ['north'] : ['south'],
          tags: ['vhf'],
          location: { lat: 52, lon: 4.5, alt_m: null },
        }),
      );
    }
    await assert.rejects(
      nodes.create({ name: 'st-alpha' }),
      (e: unknown) => e instanceof UserError && e.field === 'name',
    );
    const hb = new HeartbeatRepository(db);
    const bravo = made[3];
    assert.ok(bravo);
    assert.equal(await hb.insert(bravo.id, heartbeat('2026-01-01T00:09:59Z'), new Date(now - 5_000)), true);
    await nodes.addIngestCounts([
      {
        nodeId: bravo.id,
        framesReceived: 100,
        duplicates: 2,
        sequenceGaps: 1,
        nextSequence: 101,
        acceptedAbove: [103, 110],
      },
    ]);
    await nodes.addIngestCounts([
      {
        nodeId: bravo.id,
        framesReceived: 5,
        duplicates: 0,
        sequenceGaps: 0,
        nextSequence: 90,
        acceptedAbove: [120],
      },
    ]);
    assert.deepEqual(await nodes.sequenceState(bravo.id), { next: 101, above: [120] });

    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await nodes.list(
        nodeQuerySchema.parse({ limit: '2', ...(cursor === undefined ? {} : { cursor }) }),
      );
      assert.ok(page.items.length <= 2);
      names.push(...page.items.map((n) => n.name).filter((n) => n.startsWith('st-')));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(names, ['st-alpha', 'st-bravo', 'st-charlie', 'st-delta', 'st-echo']);

    const b = await nodes.get(bravo.id);
    assert.equal(b?.status, 'online');
    assert.deepEqual(b?.ingest, { frames_received: 105, duplicates: 2, sequence_gaps: 1 });
    assert.equal(await nodes.nextSequence(bravo.id), 101, 'next_sequence never moves backwards');
    assert.deepEqual(b?.location, { lat: 52, lon: 4.5, alt_m: null });
    const online = await nodes.list(nodeQuerySchema.parse({ status: 'online' }));
    assert.deepEqual(
      online.items.map((n) => n.name),
      ['st-bravo'],
    );
    const north = await nodes.list(nodeQuerySchema.parse({ group: 'north' }));
    assert.deepEqual(
      north.items.map((n) => n.name).filter((n) => n.startsWith('st-')),
      ['st-alpha', 'st-bravo'],
    );

    now += 120_000;
    assert.equal((await nodes.get(bravo.id))?.status, 'offline', 'two minutes without a heartbeat');
    const renamed = await nodes.update(bravo.id, { name: 'st-bravo-2', tags: ['uhf'], location: null });
    assert.equal(renamed?.name, 'st-bravo-2');
    assert.deepEqual(renamed?.tags, ['uhf']);
    assert.equal(renamed?.location, null);
  });

  test(`${name}: bands are made in one statement for a batch: new ones once, known ones keep their id`, async () => {
    const node = await new NodeRepository(db).create({ name: 'bands' });
    const repo = new SpectrumTileRepository(db);
    const band = (centerHz: number) => ({
      nodeId: node.id,
      centerHz,
      sampleRateHz: 2.4e6,
      fftSize: 4096,
      binCount: 1024,
    });
    const at = new Date('2026-01-01T00:00:00Z');
    const known = await repo.ensureBand(band(433.92e6), at);
    const ids = await repo.ensureBands([
      { key: band(100.1e6), at },
      { key: band(433.92e6), at: new Date('2026-01-02T00:00:00Z') },
      { key: band(100.1e6), at },
      { key: band(868.3e6), at },
    ]);
    assert.equal(ids[1], known, 'a known band keeps its id');
    assert.equal(ids[0], ids[2], 'the same band twice in a batch is one band');
    assert.equal(new Set(ids).size, 3);
    const bands = await repo.listBands(node.id);
    assert.deepEqual(
      bands.map((b) => [b.centerHz, b.id]),
      [
        [100.1e6, ids[0]],
        [433.92e6, known],
        [868.3e6, ids[3]],
      ],
    );
    assert.deepEqual(await repo.ensureBands([]), []);
  });

  test(`${name}: heartbeats read back newest first within a time range, in pages`, async () => {
    const nodes = new NodeRepository(db);
    const hbRepo = new HeartbeatRepository(db);
    const node = await nodes.create({ name: 'hb-node' });
    for (let s = 0; s < 5; s++) await hbRepo.insert(node.id, heartbeat(`2026-01-01T00:00:0${s}.123456Z`));
    assert.equal(
      await hbRepo.insert(node.id, heartbeat('2026-01-01T00:00:04.123456Z')),
      true,
      'a repeat is ignored, not an error',
    );
    assert.equal(
      await hbRepo.insert('00000000-0000-4000-8000-000000000000', heartbeat('2026-01-01T00:00:00Z')),
      false,
    );
    const first = await hbRepo.list(
      node.id,
      heartbeatQuerySchema.parse({ from: '2026-01-01T00:00:01Z', limit: '2' }),
    );
    assert.deepEqual(
      first.items.map((h) => h.time),
      ['2026-01-01T00:00:04.123456Z', '2026-01-01T00:00:03.123456Z'],
    );
    assert.equal(first.items[0]?.clock_source, 'gps');
    assert.ok(first.next_cursor);
    const second = await hbRepo.list(
      node.id,
      heartbeatQuerySchema.parse({ from: '2026-01-01T00:00:01Z', limit: '2', cursor: first.next_cursor }),
    );
    assert.deepEqual(
      second.items.map((h) => h.time),
      ['2026-01-01T00:00:02.123456Z', '2026-01-01T00:00:01.123456Z'],
    );
    assert.equal(second.next_cursor, null);
  });

  test(`${name}: detections filter by node, frequency, time, class and SNR; pages never repeat or skip`, async () => {
    const nodes = new NodeRepository(db);
    const a = await nodes.create({ name: 'det-a' });
    const b = await nodes.create({ name: 'det-b' });
    const repo = new DetectionRepository(db);
    const batch: NewDetection[] = [];
    for (let i = 0; i < 40; i++) {
      batch.push({
        nodeId: i % 2 === 0 ? a.id : b.id,
        // pairs share a start time to the microsecond: the id breaks the tie
        startTimeNs: T0 + BigInt(Math.floor(i / 2)) * SEC + 123_456_789n,
        endTimeNs: T0 + BigInt(Math.floor(i / 2)) * SEC + 500_000_000n,
        freqLowHz: 100e6 + i * 1e6,
        freqHighHz: 100e6 + i * 1e6 + 200e3,
        snrDb: i,
        powerDbfs: -60,
        class: i % 3 === 0 ? 'fm' : 'unknown',
        sequence: i,
      });
    }
    const ids = await repo.insertMany(batch);
    assert.equal(ids.length, 40);
    const one = await repo.get(ids[0] as string);
    assert.equal(one?.start_time, '2026-01-01T00:00:00.123456Z', 'microseconds kept');

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.list(
        detectionQuerySchema.parse({ limit: '7', ...(cursor === undefined ? {} : { cursor }) }),
      );
      seen.push(...page.items.map((d) => d.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    assert.equal(new Set(seen).size, 40);
    assert.equal(seen.length, 40);

    const filtered = await repo.list(
      detectionQuerySchema.parse({
        node_id: a.id,
        freq_min_hz: '110.1e6', // overlaps detection 10 (110.0-110.2 MHz) and up
        freq_max_hz: '130e6',
        from: '2026-01-01T00:00:05Z',
        to: '2026-01-01T00:00:15Z',
        class: 'fm',
        min_snr_db: '12',
      }),
    );
    // node a: even i; fm: i % 3 == 0 -> i in {12, 18, 24, 30}; freq 110..130 MHz -> i in 10..30;
    // time: ends at or after 5 s and starts (s + 0.123) at or before 15 s -> i in 10..29; SNR >= 12
    assert.deepEqual(
      filtered.items.map((d) => d.snr_db),
      [24, 18, 12],
    );
    assert.equal(filtered.next_cursor, null);

    await assert.rejects(
      repo.list(detectionQuerySchema.parse({ cursor: 'garbage' })),
      (e: unknown) => e instanceof UserError && e.field === 'cursor',
    );
    await assert.rejects(
      repo.list(detectionQuerySchema.parse({ cursor: encodeCursor(['yesterday', 'x']) })),
      UserError,
    );
  });
});
