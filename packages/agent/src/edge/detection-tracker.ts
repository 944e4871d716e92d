/**
 * Joins a band's per-frame detections into one record per signal: a signal seen in consecutive
 * frames (overlapping in frequency) is one record from the start of the first frame to the end of
 * the last, with its strongest SNR, mean power and most frequent class. A record is emitted when
 * its signal has been missing for `hangoverFrames` frames, and at most every `maxRecordS` seconds
 * for a signal that never stops (a broadcast carrier is then reported periodically instead of
 * only when the agent stops). Without this a carrier would make a record in every frame.
 */
import type { DetectionRecord } from '@heimdall/protocol';

interface Track {
  lowHz: number;
  highHz: number;
  startNs: bigint;
  endNs: bigint;
  snrDb: number;
  powerSum: number;
  frames: number;
  missed: number;
  readonly labels: Map<string, number>;
}

export interface DetectionTrackerOptions {
  /** Frames a signal may be missing before its record ends (default 1). */
  readonly hangoverFrames?: number;
  /** Longest record, seconds; a longer signal is reported in pieces (default 10). */
  readonly maxRecordS?: number;
}

function topLabel(labels: Map<string, number>): string {
  let best = 'unknown';
  let count = 0;
  for (const [l, c] of labels) {
    if (c > count) {
      best = l;
      count = c;
    }
  }
  return best;
}

export class DetectionTracker {
  private tracks: Track[] = [];
  private readonly hangover: number;
  private readonly maxNs: bigint;

  constructor(o: DetectionTrackerOptions = {}) {
    this.hangover = o.hangoverFrames ?? 1;
    this.maxNs = BigInt(Math.round((o.maxRecordS ?? 10) * 1e9));
  }

  /** Adds one frame's detections; returns the records that ended with it. */
  push(found: readonly DetectionRecord[]): DetectionRecord[] {
    const seen = new Set<Track>();
    for (const d of found) {
      const t = this.tracks.find((x) => !seen.has(x) && x.lowHz <= d.freqHighHz && d.freqLowHz <= x.highHz);
      if (t === undefined) {
        const fresh: Track = {
          lowHz: d.freqLowHz,
          highHz: d.freqHighHz,
          startNs: d.startTimeNs,
          endNs: d.endTimeNs,
          snrDb: d.snrDb,
          powerSum: 10 ** (d.powerDbfs / 10),
          frames: 1,
          missed: 0,
          labels: new Map([[d.label, 1]]),
        };
        this.tracks.push(fresh);
        seen.add(fresh);
        continue;
      }
      seen.add(t);
      t.lowHz = Math.min(t.lowHz, d.freqLowHz);
      t.highHz = Math.max(t.highHz, d.freqHighHz);
      if (d.endTimeNs > t.endNs) t.endNs = d.endTimeNs;
      t.snrDb = Math.max(t.snrDb, d.snrDb);
      t.powerSum += 10 ** (d.powerDbfs / 10);
      t.frames++;
      t.missed = 0;
      t.labels.set(d.label, (t.labels.get(d.label) ?? 0) + 1);
    }
    const out: DetectionRecord[] = [];
    const kept: Track[] = [];
    for (const t of this.tracks) {
      if (!seen.has(t)) t.missed++;
      if (t.missed > this.hangover || t.endNs - t.startNs >= this.maxNs) out.push(this.record(t));
      else kept.push(t);
    }
    this.tracks = kept;
    return out;
  }

  /** Ends every open record (the edge stops). */
  flush(): DetectionRecord[] {
    const out = this.tracks.map((t) => this.record(t));
    this.tracks = [];
    return out;
  }

  private record(t: Track): DetectionRecord {
    return {
      startTimeNs: t.startNs,
      endTimeNs: t.endNs,
      freqLowHz: t.lowHz,
      freqHighHz: t.highHz,
      snrDb: t.snrDb,
      powerDbfs: 10 * Math.log10(t.powerSum / t.frames),
      label: topLabel(t.labels),
    };
  }
}
