import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import type { NewAnomalyModel } from '../repositories/anomaly-model.repository.ts';
import type { NewAnomaly } from '../repositories/anomaly.repository.ts';
import { AnomalyMonitorService, type AnomalySink } from './anomaly-monitor.service.ts';
import { CENTRE, FFT, frame as nodeFrame, noise, RATE, START_NS } from './frame-fixture.ts';
import { waitFor } from '../wait-for.ts';

const NODE = '5b0f5a52-9a43-4d0e-8f59-1c2b3d4e5f60';
const frame = (i: number, intruder: boolean, nodeId = NODE) => nodeFrame(i, intruder, nodeId);

/** The anomaly repository in memory: rows in `stored`, ids are their indexes, merge as the SQL does. */
function memorySink(stored: NewAnomaly[]): AnomalySink {
  return {
    insert: async (a) => {
      stored.push(a);
      return { id: String(stored.length - 1) };
    },
    merge: async (id, a) => {
      const o = stored[Number(id)] as NewAnomaly;
      const ms = (t: string | Date) => new Date(t).getTime();
      stored[Number(id)] = {
        ...o,
        node_ids: [...new Set([...o.node_ids, ...a.node_ids])],
        time: ms(a.time) < ms(o.time) ? a.time : o.time,
        end_time: ms(a.end_time ?? a.time) > ms(o.end_time ?? o.time) ? a.end_time : o.end_time,
        freq_low_hz: Math.min(o.freq_low_hz ?? Infinity, a.freq_low_hz ?? Infinity),
        freq_high_hz: Math.max(o.freq_high_hz ?? -Infinity, a.freq_high_hz ?? -Infinity),
        score: Math.max(o.score, a.score),
        explanation: a.explanation,
      };
    },
  };
}

test('frames from the bus train a node model, then a new emitter is stored once as a high anomaly', async () => {
  const bus = createInProcessBus();
  const stored: NewAnomaly[] = [];
  const service = new AnomalyMonitorService(bus, memorySink(stored), {
    warmupMs: 12 * 3_600_000,
    nodeName: () => 'bratislava',
  });
  await service.start();
  const warm = 12 * 360 + 2;
  for (let i = 0; i < warm; i++) await bus.publish('spectrum.frame', frame(i, false));
  // the engine yields to the event loop after each closed average: its queue drains a little later
  await waitFor('a model after the warm-up', () => service.modelOf(NODE) !== undefined);
  assert.equal(stored.length, 0, JSON.stringify(stored));
  // 2 hours more; the intruder from 30 to 60 minutes
  for (let i = warm; i < warm + 720; i++) {
    const t = i - warm;
    await bus.publish('spectrum.frame', frame(i, t >= 180 && t < 360));
  }
  await waitFor('the intruder to be stored', () => stored.length > 0);
  await service.stop();
  await bus.close();
  assert.equal(stored.length, 1, JSON.stringify(stored));
  const a = stored[0] as NewAnomaly;
  assert.equal(a.kind, 'new_emitter');
  assert.equal(a.severity, 'high');
  assert.equal(a.node_id, NODE);
  assert.deepEqual(a.node_ids, [NODE]);
  const binHz = RATE / FFT;
  const intruderHz = CENTRE + (181.5 - FFT / 2) * binHz;
  assert.ok((a.freq_low_hz ?? 0) <= intruderHz && (a.freq_high_hz ?? 0) >= intruderHz);
  const t0 = Number(START_NS / 1_000_000n) + (warm + 180) * 10_000;
  assert.ok(Math.abs(new Date(a.time).getTime() - t0) <= 30_000, String(a.time));
  assert.match(
    a.explanation,
    /^new emitter at 434\.\d{3} MHz, \d+ dB above the usual level at any hour at bratislava$/,
  );
});

test('a retuned node starts learning again instead of reporting its new band as anomalous', async () => {
  const stored: NewAnomaly[] = [];
  const service = new AnomalyMonitorService(
    { subscribe: () => Promise.resolve({ unsubscribe: () => Promise.resolve() }) },
    memorySink(stored),
    { warmupMs: 3_600_000 },
  );
  for (let i = 0; i < 400; i++) service.onFrame(frame(i, false));
  assert.ok(service.modelOf(NODE));
  for (let i = 400; i < 500; i++) service.onFrame({ ...frame(i, true), centerHz: 868e6 });
  assert.equal(service.modelOf(NODE), undefined);
  await service.stop();
  assert.deepEqual(stored, []);
});

test('detections train an isolation forest per node; a signal unlike the usual ones is stored as new_emitter', async () => {
  const stored: NewAnomaly[] = [];
  const service = new AnomalyMonitorService(
    { subscribe: () => Promise.resolve({ unsubscribe: () => Promise.resolve() }) },
    memorySink(stored),
    { detectionWarmup: 1000, nodeName: () => 'twente' },
  );
  const t0 = Date.UTC(2024, 5, 3);
  const usual = (i: number) => {
    const pager = i % 3 === 0;
    const f = pager ? 169.65e6 : 145.6625e6;
    const start = t0 + i * 97_000;
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      node_id: NODE,
      start_time: new Date(start).toISOString(),
      end_time: new Date(start + (pager ? 2_000 : 20_000) * (1 + 0.2 * noise(i, 1))).toISOString(),
      freq_low_hz: f - 6_000,
      freq_high_hz: f + 6_000,
      snr_db: 20 + 3 * noise(i, 2),
      power_dbfs: -50 + 3 * noise(i, 3),
      class: pager ? 'fsk' : 'nbfm',
    };
  };
  // 1000 detections 97 s apart: a little more than a day, so every hour is usual
  for (let i = 0; i < 1500; i++) service.onDetection(usual(i));
  assert.equal(stored.length, 0, JSON.stringify(stored));
  const start = t0 + 1600 * 97_000;
  service.onDetection({
    ...usual(1600),
    start_time: new Date(start).toISOString(),
    end_time: new Date(start + 600_000).toISOString(),
    freq_low_hz: 145.2e6,
    freq_high_hz: 145.6e6,
    snr_db: 30,
    class: 'noise',
  });
  await service.stop();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]?.kind, 'new_emitter');
  assert.match(
    stored[0]?.explanation ?? '',
    /^new emitter at 145\.400 MHz: a noise signal 400\.0 kHz wide at 30 dB SNR at \d\d:00 UTC, unlike the \d+ signals twente usually detects$/,
  );
});

const OTHER = '7c1e2d3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const idle = { subscribe: () => Promise.resolve({ unsubscribe: () => Promise.resolve() }) };
const WARM = 12 * 360 + 2;

test('the same new emitter seen at two nodes is stored once, listing both nodes', async () => {
  const stored: NewAnomaly[] = [];
  const names: Record<string, string> = { [NODE]: 'bratislava', [OTHER]: 'vienna' };
  const service = new AnomalyMonitorService(idle, memorySink(stored), {
    warmupMs: 12 * 3_600_000,
    nodeName: (id) => names[id],
  });
  for (let i = 0; i < WARM + 720; i++) {
    const t = i - WARM;
    const intruder = t >= 180 && t < 360;
    service.onFrame(frame(i, intruder, NODE));
    service.onFrame(frame(i, intruder, OTHER));
  }
  await service.stop();
  assert.equal(stored.length, 1, JSON.stringify(stored));
  const a = stored[0] as NewAnomaly;
  assert.equal(a.kind, 'new_emitter');
  assert.deepEqual(new Set(a.node_ids), new Set([NODE, OTHER]));
  assert.match(a.explanation, /at bratislava; also seen at vienna$/);
});

test('events of two nodes in different bands stay two events', async () => {
  const stored: NewAnomaly[] = [];
  const service = new AnomalyMonitorService(idle, memorySink(stored), { warmupMs: 12 * 3_600_000 });
  for (let i = 0; i < WARM + 720; i++) {
    const t = i - WARM;
    const intruder = t >= 180 && t < 360;
    service.onFrame(frame(i, intruder, NODE));
    // the other node is tuned 1 MHz up: its intruder is another signal
    service.onFrame({ ...frame(i, intruder, OTHER), centerHz: CENTRE + 1e6 });
  }
  await service.stop();
  assert.equal(stored.length, 2, JSON.stringify(stored));
  assert.deepEqual(
    stored.map((x) => x.node_ids),
    [[NODE], [OTHER]],
  );
});

test('a trained model is saved as a version, and a restarted service resumes with it instead of relearning', async () => {
  const saved: NewAnomalyModel[] = [];
  const models = {
    save: async (m: NewAnomalyModel) => void saved.push(m),
    active: async () =>
      saved.map((m, i) => ({ id: `v${i + 1}`, node_id: m.nodeId, plan_key: m.planKey, model: m.model })),
  };
  const first = new AnomalyMonitorService(idle, memorySink([]), { warmupMs: 12 * 3_600_000, models });
  await first.start();
  for (let i = 0; i < WARM; i++) first.onFrame(frame(i, false));
  await first.stop();
  assert.equal(saved.length, 1);
  const v = saved[0] as NewAnomalyModel;
  assert.equal(v.nodeId, NODE);
  assert.equal(v.createdBy, null);
  assert.equal(v.planKey, `${CENTRE}:${RATE}:${FFT}`);
  const startMs = Number(START_NS / 1_000_000n);
  assert.equal(v.trainingFrom.getTime(), startMs);
  assert.ok(v.trainingTo.getTime() >= startMs + 12 * 3_600_000 - 20_000, v.trainingTo.toISOString());
  assert.equal(typeof v.metrics['holdoutEventsPerDay'], 'number');

  // restart: no warm-up, the intruder is reported from the first hour
  const stored: NewAnomaly[] = [];
  const second = new AnomalyMonitorService(idle, memorySink(stored), { warmupMs: 12 * 3_600_000, models });
  await second.start();
  assert.equal(second.modelOf(NODE)?.id, first.modelOf(NODE)?.id);
  for (let i = WARM; i < WARM + 720; i++) {
    const t = i - WARM;
    second.onFrame(frame(i, t >= 180 && t < 360));
  }
  await second.stop();
  assert.equal(stored.length, 1, JSON.stringify(stored));
  assert.equal(stored[0]?.kind, 'new_emitter');
  assert.equal(saved.length, 1, 'no retraining in the first 2 hours');
});

test('a stored model the server cannot read is reported and the node learns again', async () => {
  const errors: string[] = [];
  const service = new AnomalyMonitorService(idle, memorySink([]), {
    models: {
      save: async () => undefined,
      active: async () => [
        { id: 'v1', node_id: NODE, plan_key: `${CENTRE}:${RATE}:${FFT}`, model: '{"format":"other"}' },
      ],
    },
    onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
  });
  await service.start();
  assert.equal(service.modelOf(NODE), undefined);
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /anomaly model/);
  await service.stop();
});
