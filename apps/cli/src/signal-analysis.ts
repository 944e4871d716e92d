/**
 * Signal detection over a sample range of a recording: the two streaming passes of the
 * @heimdall/dsp Analyzer (survey, then burst segmentation per channel), with progress.
 */
import { Analyzer, bytesPerSample, type AnalyzerOptions, type Detection } from '@heimdall/dsp';
import type { Recording } from '@heimdall/formats';
import type { ProgressFactory } from './progress.ts';
import type { SampleRange } from './recording-options.ts';

const CHUNK_SAMPLES = 1 << 18;

/** Detections with sample positions counted from the first sample of the file. */
export function detectSignals(
  rec: Recording,
  range: SampleRange,
  progressFactory: ProgressFactory,
  opts: AnalyzerOptions = {},
): Detection[] {
  const analyzer = new Analyzer(
    { format: rec.format, sampleRate: rec.sampleRate, centerFrequency: range.centerFrequency },
    opts,
  );
  const progress = progressFactory('analyze', range.count * 2, 'S');
  const chunks = { chunkSamples: CHUNK_SAMPLES, start: range.start, count: range.count };
  const bps = bytesPerSample(rec.format);
  for (const { start, bytes } of rec.chunks(chunks)) {
    analyzer.survey(bytes);
    progress.update(start - range.start + bytes.length / bps);
  }
  analyzer.plan();
  for (const { start, bytes } of rec.chunks(chunks)) {
    analyzer.segment(bytes);
    progress.update(range.count + start - range.start + bytes.length / bps);
  }
  progress.done();
  // the analyzer counts from the start of the range; the file counts from its first sample
  return analyzer
    .finish()
    .map((d) => ({ ...d, sampleStart: (d.sampleStart + range.start) as Detection['sampleStart'] }));
}
