/**
 * Scan plans between the wire (`@heimdall/protocol`'s snake_case schemas, what the server stores
 * and sends) and the edge contract's camelCase {@link ScanPlan}.
 */
import type { ReportedScanPlan, ScanBandSpec, ScanPlanSpec } from '@heimdall/protocol';
import type { ScanBand, ScanPlan } from '../edge.contract.ts';

export function scanBandFromWire(b: ScanBandSpec): ScanBand {
  return {
    ...(b.name === undefined ? {} : { name: b.name }),
    centerHz: b.center_hz,
    spanHz: b.span_hz,
    fftSize: b.fft_size,
    framesPerSecond: b.frames_per_second,
    averaging: b.averaging,
    thresholdDb: b.threshold_db,
  };
}

export function scanBandToWire(b: ScanBand): ScanBandSpec {
  return {
    ...(b.name === undefined ? {} : { name: b.name }),
    center_hz: b.centerHz,
    span_hz: b.spanHz,
    fft_size: b.fftSize,
    frames_per_second: b.framesPerSecond,
    averaging: b.averaging,
    threshold_db: b.thresholdDb,
  };
}

/** The desired plan from the server (or a reported one) as the edge runs it. */
export function scanPlanFromWire(p: ScanPlanSpec | ReportedScanPlan): ScanPlan {
  return { id: p.id, version: p.version, bands: p.bands.map(scanBandFromWire) };
}

/** The plan the edge runs, as the agent reports it in heartbeats. */
export function scanPlanToWire(p: ScanPlan): ReportedScanPlan {
  return { id: p.id, version: p.version, bands: p.bands.map(scanBandToWire) };
}
