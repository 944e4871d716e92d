/**
 * The agent's edge (packages/agent/src/edge): the whole pipeline from receiver bytes to encoded
 * frames, for an RTL-SDR-like (2.4 MS/s cu8, FFT 2048) and a HackRF-like (20 MS/s ci8, FFT 8192)
 * continuous stream, next to the bare Welch kernel measured on the same bytes in the same run;
 * then the seven simulated demo nodes as the demo runs them. Goals: RTL under 10 % of a core,
 * HackRF under 50 %.
 */
import { benchDemoEdges, benchEdgeStream } from '../../packages/agent/src/edge/edge.bench.ts';
import { printTable } from './table.ts';

export async function runAgentBench(): Promise<void> {
  const rows: string[][] = [];
  for (const [name, sampleRate, fftSize, format, goal] of [
    ['RTL-SDR 2.4 MS/s cu8', 2.4e6, 2048, 'cu8', 10],
    ['HackRF 20 MS/s ci8', 20e6, 8192, 'ci8', 50],
  ] as const) {
    const r = await benchEdgeStream({ sampleRate, fftSize, format });
    rows.push([
      name,
      String(fftSize),
      r.msps.toFixed(1),
      r.welchMsps.toFixed(1),
      `${r.corePercent.toFixed(1)} %`,
      `< ${goal} %`,
      r.detections.toFixed(0),
    ]);
  }
  console.log(
    'continuous streams, 10 frames/s, one core; reference: the Welch kernel alone (float32) on the same bytes',
  );
  printTable(
    ['stream', 'FFT', 'pipeline MS/s', 'Welch kernel MS/s', 'core at real time', 'goal', 'signals found'],
    rows,
  );
  const demo = await benchDemoEdges(5);
  console.log(
    `demo: ${demo.nodes} simulated edges (sim://demo#NODE, default plan, duty-cycled) took ${demo.corePercent.toFixed(1)} % of one core together (${demo.frames} frames in 5 s)`,
  );
}
