import { runAgentBench } from './agent.section.ts';
import { runAnomaliesBench } from './anomalies.section.ts';
import { runIngestBench } from './ingest.section.ts';
import { runSimBench } from './sim.section.ts';
import { runSpoolBench } from './spool.section.ts';
import { runStorageBench } from './storage.section.ts';
import { runWebBench } from './web.section.ts';
import { runWelchBench } from './welch.section.ts';

export interface BenchSection {
  readonly name: string;
  readonly title: string;
  run(): Promise<void>;
}

export const sections: readonly BenchSection[] = [
  {
    name: 'welch',
    title: 'Welch PSD throughput against FFTW and scipy (N = 1024, 4096, 65536)',
    run: runWelchBench,
  },
  {
    name: 'sim',
    title: 'Simulator generation speed, 2.4 MS/s receivers (goal: 10x real time per core)',
    run: runSimBench,
  },
  {
    name: 'storage',
    title: 'Spectrum history on PGlite: 100 nodes into tiles, bytes per bin, a day at zoom 5',
    run: runStorageBench,
  },
  {
    name: 'ingest',
    title: 'Ingest over WebSockets on the embedded default: 100 nodes, 4096 bins, to a live viewer',
    run: runIngestBench,
  },
  {
    name: 'agent',
    title: 'Agent edge pipeline (cu8 -> PSD -> detect -> encode): RTL-SDR and HackRF streams, demo nodes',
    run: runAgentBench,
  },
  {
    name: 'spool',
    title: 'Agent spool and uplink: push rate against plain appends, backlog drain into a server on PGlite',
    run: runSpoolBench,
  },
  {
    name: 'anomalies',
    title: 'Anomaly engine: train a week of one node, score a day; reference: per-bin median baseline',
    run: runAnomaliesBench,
  },
  {
    name: 'web',
    title: 'Dashboard live view in Chromium: per-viewer kbit/s for 4096-bin frames at 10 fps, rows drawn/s',
    run: runWebBench,
  },
];
