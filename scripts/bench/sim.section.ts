/**
 * Simulator generation speed (packages/sim): simulated mega-samples per second on one core for a
 * 2.4 MS/s node hearing 20 emitters that all transmit all the time (the worst case), and for
 * demo nodes at their default tuning. Real time is 2.4 MS/s; the goal is 10x.
 */
import { benchDemoNode, benchSimulator } from '../../packages/sim/src/sim.bench.ts';
import { printTable } from './table.ts';

export async function runSimBench(): Promise<void> {
  const rows: string[][] = [];
  const worst = benchSimulator();
  rows.push(['20 emitters, all transmitting', '20', worst.toFixed(1), `${(worst / 2.4).toFixed(1)}x`]);
  for (const node of ['twente', 'enschede', 'doorn']) {
    const r = benchDemoNode(node);
    rows.push([`demo ${node}`, String(r.emitters), r.msps.toFixed(1), `${(r.msps / 2.4).toFixed(1)}x`]);
  }
  printTable(['node (2.4 MS/s, cu8)', 'emitters', 'MS/s', 'real time'], rows);
  await Promise.resolve();
}
