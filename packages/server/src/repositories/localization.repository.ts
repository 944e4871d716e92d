/** Localization requests, their fixes, and the IQ snippets nodes upload for them. */
import type { Localization, LocalizationQuery, LocalizationStatus, Page } from '@heimdall/protocol';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import { newestFirstPage } from './newest-first.ts';

export interface NewLocalization {
  readonly id: string;
  readonly requestedMethod: 'auto' | 'tdoa' | 'power';
  readonly freqHz: number;
  readonly bandwidthHz: number;
  readonly captureTime: Date;
  readonly durationMs: number;
  readonly deadline: Date;
  readonly nodeIds: readonly string[];
  readonly jobIds: readonly string[];
  readonly detectionId: string | null;
  readonly anomalyId: string | null;
  readonly createdBy: string | null;
  readonly at: Date;
}

export interface FixRecord {
  readonly method: 'tdoa' | 'power';
  readonly lat: number;
  readonly lon: number;
  readonly ellipse: { semi_major_m: number; semi_minor_m: number; orientation_deg: number };
  readonly gdop: number;
  readonly quality: string;
  readonly confidence: number;
  readonly usedNodeIds: readonly string[];
}

export interface NewSnippet {
  readonly jobId: string;
  readonly localizationId: string;
  readonly nodeId: string;
  readonly sampleRateHz: number;
  readonly centerHz: number;
  readonly captureTimeNs: bigint;
  readonly latitude: number;
  readonly longitude: number;
  readonly altitudeM: number;
  readonly clockSource: string;
  readonly data: Uint8Array;
  readonly at: Date;
}

export type StoredSnippet = Omit<NewSnippet, 'at'>;

/** Extra fields the service needs besides the API shape. */
export interface LocalizationRecord extends Localization {
  readonly requested_method: 'auto' | 'tdoa' | 'power';
}

const list = (v: unknown): string[] => {
  const s = String(v ?? '');
  return s === '' ? [] : s.split(',');
};
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const COLUMNS = `id::text AS id, status, requested_method, method, lat, lon, ellipse, gdop, quality, confidence,
  freq_hz, bandwidth_hz, ${isoColumn('capture_time')} AS capture_iso, duration_ms, ${isoColumn('deadline')} AS deadline_iso,
  array_to_string(node_ids, ',') AS node_ids, array_to_string(job_ids, ',') AS job_ids,
  array_to_string(used_node_ids, ',') AS used_node_ids, detection_id::text AS detection_id,
  anomaly_id::text AS anomaly_id, created_by::text AS created_by, ${isoColumn('created_at')} AS created_iso,
  ${isoColumn('completed_at')} AS completed_iso, error`;

function toLocalization(r: Row): LocalizationRecord {
  const method = text(r['method']);
  return {
    id: String(r['id']),
    status: String(r['status']) as LocalizationStatus,
    requested_method: String(r['requested_method']) as 'auto' | 'tdoa' | 'power',
    method: method === 'tdoa' || method === 'power' ? method : null,
    lat: num(r['lat']),
    lon: num(r['lon']),
    ellipse: (r['ellipse'] ?? null) as Localization['ellipse'],
    gdop: num(r['gdop']),
    quality: text(r['quality']),
    confidence: num(r['confidence']),
    freq_hz: Number(r['freq_hz']),
    bandwidth_hz: Number(r['bandwidth_hz']),
    capture_time: String(r['capture_iso']),
    duration_ms: Number(r['duration_ms']),
    deadline: String(r['deadline_iso']),
    node_ids: list(r['node_ids']),
    job_ids: list(r['job_ids']),
    used_node_ids: list(r['used_node_ids']),
    detection_id: text(r['detection_id']),
    anomaly_id: text(r['anomaly_id']),
    created_by: text(r['created_by']),
    created_at: String(r['created_iso']),
    completed_at: text(r['completed_iso']),
    error: text(r['error']),
  };
}

/** The API shape (without the service's extra fields). */
export function publicLocalization(l: LocalizationRecord): Localization {
  const { requested_method: _ignored, ...rest } = l;
  return rest;
}

export class LocalizationRepository {
  constructor(private readonly db: Queryable) {}

  async create(l: NewLocalization): Promise<LocalizationRecord> {
    const { rows } = await this.db.query(
      `INSERT INTO localizations (id, status, requested_method, freq_hz, bandwidth_hz, capture_time, duration_ms, deadline,
                                  node_ids, job_ids, detection_id, anomaly_id, created_by, created_at)
       VALUES ($1::uuid, 'capturing', $2, $3, $4, $5::timestamptz, $6, $7::timestamptz, $8::uuid[], $9::uuid[],
               $10::uuid, $11::uuid, $12::uuid, $13::timestamptz)
       RETURNING ${COLUMNS}`,
      [
        l.id,
        l.requestedMethod,
        l.freqHz,
        l.bandwidthHz,
        l.captureTime,
        l.durationMs,
        l.deadline,
        [...l.nodeIds],
        [...l.jobIds],
        l.detectionId,
        l.anomalyId,
        l.createdBy,
        l.at,
      ],
    );
    return toLocalization(rows[0] as Row);
  }

  async get(id: string): Promise<LocalizationRecord | undefined> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM localizations WHERE id = $1::uuid`, [id]);
    return rows[0] === undefined ? undefined : toLocalization(rows[0]);
  }

  async list(query: LocalizationQuery): Promise<Page<Localization>> {
    return newestFirstPage(this.db, {
      columns: COLUMNS,
      from: 'localizations',
      query,
      filters: (p) => (query.status === undefined ? [] : [`status = ANY(${p(query.status)}::text[])`]),
      toItem: (r) => publicLocalization(toLocalization(r)),
    });
  }

  /** Ids of requests still capturing whose deadline has passed. */
  async overdue(now: Date): Promise<string[]> {
    const { rows } = await this.db.query(
      `SELECT id::text AS id FROM localizations WHERE status = 'capturing' AND deadline <= $1::timestamptz`,
      [now],
    );
    return rows.map((r) => String(r['id']));
  }

  /**
   * Takes a request from `capturing` to `solving`; false when another caller (or server) took it
   * first, so one fix is computed per request.
   */
  async claim(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE localizations SET status = 'solving' WHERE id = $1::uuid AND status = 'capturing'`,
      [id],
    );
    return rowCount > 0;
  }

  async complete(id: string, fix: FixRecord, at: Date): Promise<LocalizationRecord | undefined> {
    const { rows } = await this.db.query(
      `UPDATE localizations SET status = 'completed', method = $2, lat = $3, lon = $4, ellipse = $5::jsonb, gdop = $6,
         quality = $7, confidence = $8, used_node_ids = $9::uuid[], completed_at = $10::timestamptz, error = NULL
       WHERE id = $1::uuid RETURNING ${COLUMNS}`,
      [
        id,
        fix.method,
        fix.lat,
        fix.lon,
        JSON.stringify(fix.ellipse),
        fix.gdop,
        fix.quality,
        fix.confidence,
        [...fix.usedNodeIds],
        at,
      ],
    );
    return rows[0] === undefined ? undefined : toLocalization(rows[0]);
  }

  async fail(id: string, error: string, at: Date): Promise<LocalizationRecord | undefined> {
    const { rows } = await this.db.query(
      `UPDATE localizations SET status = 'failed', error = $2, completed_at = $3::timestamptz
       WHERE id = $1::uuid RETURNING ${COLUMNS}`,
      [id, error, at],
    );
    return rows[0] === undefined ? undefined : toLocalization(rows[0]);
  }

  /** Stores (or replaces, on a re-upload) a job's snippet. */
  async putSnippet(s: NewSnippet): Promise<void> {
    await this.db.query(
      `INSERT INTO localization_snippets (job_id, localization_id, node_id, sample_rate_hz, center_hz, capture_time_ns,
                                          latitude, longitude, altitude_m, clock_source, data, received_at)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::int8, $7, $8, $9, $10, $11, $12::timestamptz)
       ON CONFLICT (job_id) DO UPDATE SET sample_rate_hz = EXCLUDED.sample_rate_hz, center_hz = EXCLUDED.center_hz,
         capture_time_ns = EXCLUDED.capture_time_ns, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
         altitude_m = EXCLUDED.altitude_m, clock_source = EXCLUDED.clock_source, data = EXCLUDED.data,
         received_at = EXCLUDED.received_at`,
      [
        s.jobId,
        s.localizationId,
        s.nodeId,
        s.sampleRateHz,
        s.centerHz,
        s.captureTimeNs.toString(),
        s.latitude,
        s.longitude,
        s.altitudeM,
        s.clockSource,
        s.data,
        s.at,
      ],
    );
  }

  async snippetCount(localizationId: string): Promise<number> {
    const { rows } = await this.db.query(
      'SELECT count(*)::int AS n FROM localization_snippets WHERE localization_id = $1::uuid',
      [localizationId],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async snippets(localizationId: string): Promise<StoredSnippet[]> {
    const { rows } = await this.db.query(
      `SELECT job_id::text AS job_id, node_id::text AS node_id, sample_rate_hz, center_hz,
              capture_time_ns::text AS capture_time_ns, latitude, longitude, altitude_m, clock_source, data
       FROM localization_snippets WHERE localization_id = $1::uuid ORDER BY node_id`,
      [localizationId],
    );
    return rows.map((r) => ({
      jobId: String(r['job_id']),
      localizationId,
      nodeId: String(r['node_id']),
      sampleRateHz: Number(r['sample_rate_hz']),
      centerHz: Number(r['center_hz']),
      captureTimeNs: BigInt(String(r['capture_time_ns'])),
      latitude: Number(r['latitude']),
      longitude: Number(r['longitude']),
      altitudeM: Number(r['altitude_m']),
      clockSource: String(r['clock_source']),
      data: r['data'] as Uint8Array,
    }));
  }
}
