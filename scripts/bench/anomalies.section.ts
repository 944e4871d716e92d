/**
 * Anomaly engine speed (packages/intel/src/anomaly): training on a week of one node's history
 * (10 s PSD frames of 768 bins from the simulator's demo node twente: 60,480 frames) and scoring a
 * day (8,640 frames), next to a reference measured in the same run on the same frames: a plain
 * per-bin median baseline (the median of every bin over the week, by sorting) and scoring the day
 * against it (|level - median| > 10 dB).
 */
import {
  AnomalyMonitor,
  autoencoderInput,
  channelize,
  hourOf,
  HOURS,
  modelBaseline,
  ModelTrainer,
  trainAutoencoder,
} from '../../packages/intel/src/index.ts';
import {
  compileScene,
  loadBuiltinScenario,
  renderPowerFrames,
  SimReceiver,
} from '../../packages/sim/src/index.ts';
import { printTable } from './table.ts';

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

export async function runAnomaliesBench(): Promise<void> {
  const spec = loadBuiltinScenario('demo');
  if (spec === undefined) throw new Error('no demo scenario');
  const scene = compileScene({ ...spec, anomalies: [] });
  const week = renderPowerFrames(new SimReceiver(scene, 'twente', { startTime: 0 }), {
    seconds: 7 * 86_400,
  }).frames;
  const day = renderPowerFrames(new SimReceiver(scene, 'twente', { startTime: 7 * 86_400 }), {
    seconds: 86_400,
  }).frames;
  const bins = week[0]?.db.length ?? 0;

  let t0 = performance.now();
  const trainer = new ModelTrainer({ node: 'twente' });
  for (const f of week) trainer.push(f);
  const model = trainer.finish();
  const trainS = seconds(t0);
  t0 = performance.now();
  const monitor = new AnomalyMonitor(model);
  let events = 0;
  for (const f of day) events += monitor.push(f).length;
  events += monitor.flush().length;
  const scoreS = seconds(t0);

  // the autoencoder's share of training: retrained alone on the frames training gives it
  const ae = model.autoencoder.metrics;
  const aeMedian = modelBaseline(model).stats().median;
  const aeInputs: Float64Array[] = [];
  const stride = Math.max(1, week.length / (ae.trainFrames + ae.heldOutFrames));
  for (let k = 0; k < week.length && aeInputs.length < ae.trainFrames + ae.heldOutFrames; k += stride) {
    const f = week[Math.floor(k)];
    if (f === undefined) continue;
    const levels = channelize(model.plan, f.db, new Float32Array(model.plan.channels));
    aeInputs.push(
      autoencoderInput(levels, aeMedian, hourOf(f.timeMs), HOURS, new Float64Array(levels.length)),
    );
  }
  t0 = performance.now();
  trainAutoencoder(aeInputs);
  const aeS = seconds(t0);

  t0 = performance.now();
  const median = new Float32Array(bins);
  const column = new Float32Array(week.length);
  for (let b = 0; b < bins; b++) {
    for (let i = 0; i < week.length; i++) column[i] = (week[i]?.db[b] as number) ?? NaN;
    column.sort();
    median[b] = column[column.length >> 1] as number;
  }
  const refTrainS = seconds(t0);
  t0 = performance.now();
  let flagged = 0;
  for (const f of day)
    for (let b = 0; b < bins; b++) if (Math.abs((f.db[b] as number) - (median[b] as number)) > 10) flagged++;
  const refScoreS = seconds(t0);

  printTable(
    ['twente, 768 bins, 10 s frames', 'train a week (60,480 frames)', 'score a day (8,640 frames)', 'result'],
    [
      [
        'anomaly engine (192 channels x 168 h of week)',
        `${trainS.toFixed(2)} s`,
        `${scoreS.toFixed(2)} s`,
        `${model.plan.channels} channels, ${events} events in the day`,
      ],
      [
        `  of which: autoencoder ${model.autoencoder.sizes.join('-')}`,
        `${aeS.toFixed(2)} s`,
        '',
        `${ae.epochs} epochs on ${ae.trainFrames} frames, loss ${ae.trainLoss} / held-out ${ae.heldOutLoss} (mean frame: ${ae.meanPredictorLoss})`,
      ],
      [
        'reference: per-bin median baseline',
        `${refTrainS.toFixed(2)} s`,
        `${refScoreS.toFixed(2)} s`,
        `${flagged} bin-frames flagged`,
      ],
    ],
  );
  await Promise.resolve();
}
