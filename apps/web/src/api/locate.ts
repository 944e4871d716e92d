/**
 * "Locate" from a detection or an anomaly: ask the server for a localization of its frequency
 * range a few seconds ahead (the agents poll their jobs every ~2 s and must be tuned by then), and
 * remember which detection or anomaly started it so the map links back to it.
 */
import type { paths } from '../generated/api.ts';
import { api, type ResponseOf } from './client.ts';

export type Localization = ResponseOf<'/api/v1/localizations/{id}'>;

/** How far ahead the capture is set: long enough for every agent to pick the job up. */
export const CAPTURE_LEAD_MS = 5000;
/** IQ each node captures: enough for power and for a TDOA correlation, small to upload. */
export const CAPTURE_DURATION_MS = 50;
/** The narrowest band asked for (a CW carrier's detection can be a few Hz wide). */
const MIN_BANDWIDTH_HZ = 1000;

export interface LocateSource {
  readonly freq_low_hz: number;
  readonly freq_high_hz: number;
  readonly detection_id?: string;
  readonly anomaly_id?: string;
}

export type LocateBody = paths['/api/v1/localizations']['post']['requestBody']['content']['application/json'];

/** The request body for `source`, capturing `CAPTURE_LEAD_MS` after `now`. */
export function locateBody(source: LocateSource, now = Date.now()): LocateBody {
  return {
    freq_hz: (source.freq_low_hz + source.freq_high_hz) / 2,
    bandwidth_hz: Math.max(MIN_BANDWIDTH_HZ, source.freq_high_hz - source.freq_low_hz),
    capture_time: new Date(now + CAPTURE_LEAD_MS).toISOString(),
    duration_ms: CAPTURE_DURATION_MS,
    ...(source.detection_id === undefined ? {} : { detection_id: source.detection_id }),
    ...(source.anomaly_id === undefined ? {} : { anomaly_id: source.anomaly_id }),
  };
}

/** Posts the request; answers the new localization (status `capturing`). */
export function locate(source: LocateSource): Promise<Localization> {
  return api.post('/api/v1/localizations', { body: locateBody(source) });
}

/** The map focused on one localization. */
export function mapPathFor(localizationId: string): string {
  return `/map?loc=${encodeURIComponent(localizationId)}`;
}

/** Still waiting for captures or the solver. */
export function isPending(l: Pick<Localization, 'status'>): boolean {
  return l.status === 'capturing' || l.status === 'solving';
}
