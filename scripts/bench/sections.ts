import { runIngestBench } from './ingest.section.ts';
import { runSimBench } from './sim.section.ts';
import { runStorageBench } from './storage.section.ts';
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
];
