/**
 * Detections: written in batches by the ingest, read by the API with filters (node, frequency
 * range, time range, class, SNR) and keyset pagination, newest first.
 */
import { randomUUID } from 'node:crypto';
import type { Detection, DetectionQuery, Page } from '@heimdall/protocol';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn, nsToUsCeil, nsToUsFloor } from '../database/sql-time.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** One detection to store; times in ns since the Unix epoch (stored to the microsecond). */
export interface NewDetection {
  readonly id?: string;
  readonly nodeId: string;
  readonly startTimeNs: bigint;
  readonly endTimeNs: bigint;
  readonly freqLowHz: number;
  readonly freqHighHz: number;
  readonly snrDb: number;
  readonly powerDbfs: number;
  readonly class: string;
  /** Sequence of the message that carried it, when it came from a node. */
  readonly sequence?: number;
}

function toDetection(r: Row): Detection {
  return {
    id: String(r['id']),
    node_id: String(r['node_id']),
    start_time: String(r['start_iso']),
    end_time: String(r['end_iso']),
    freq_low_hz: Number(r['freq_low_hz']),
    freq_high_hz: Number(r['freq_high_hz']),
    snr_db: Number(r['snr_db']),
    power_dbfs: Number(r['power_dbfs']),
    class: String(r['class']),
  };
}

export class DetectionRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores a batch in one round trip; returns the ids in input order. */
  async insertMany(detections: readonly NewDetection[]): Promise<string[]> {
    const ids = detections.map((d) => d.id ?? randomUUID());
    await this.db.insertRows(
      'detections',
      [
        { name: 'id', type: 'uuid' },
        { name: 'node_id', type: 'uuid' },
        { name: 'start_time', type: 'timestamptz' },
        { name: 'end_time', type: 'timestamptz' },
        { name: 'freq_low_hz', type: 'float8' },
        { name: 'freq_high_hz', type: 'float8' },
        { name: 'snr_db', type: 'float4' },
        { name: 'power_dbfs', type: 'float4' },
        { name: 'class', type: 'text' },
        { name: 'sequence', type: 'int8' },
      ],
      detections.map((d, i) => [
        ids[i] as string,
        d.nodeId,
        nsToUsFloor(d.startTimeNs),
        nsToUsCeil(d.endTimeNs),
        d.freqLowHz,
        d.freqHighHz,
        d.snrDb,
        d.powerDbfs,
        d.class,
        d.sequence ?? null,
      ]),
    );
    return ids;
  }

  async get(id: string): Promise<Detection | undefined> {
    const { rows } = await this.db.query(`${SELECT} WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toDetection(rows[0]);
  }

  /**
   * Detections matching every filter, newest first: overlapping `[freq_min_hz, freq_max_hz]` and
   * `[from, to]`, of one of the classes, with at least `min_snr_db`. Pages continue after the
   * cursor's (start_time, id), so rows inserted meanwhile neither repeat nor shift a page.
   */
  async list(query: DetectionQuery): Promise<Page<Detection>> {
    const params: (string | number | string[])[] = [];
    const where: string[] = [];
    const p = (v: string | number | string[]) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (query.node_id !== undefined) where.push(`node_id = ANY(${p(query.node_id)}::uuid[])`);
    if (query.freq_min_hz !== undefined) where.push(`freq_high_hz >= ${p(query.freq_min_hz)}`);
    if (query.freq_max_hz !== undefined) where.push(`freq_low_hz <= ${p(query.freq_max_hz)}`);
    if (query.from !== undefined) where.push(`end_time >= ${p(query.from)}::timestamptz`);
    if (query.to !== undefined) where.push(`start_time <= ${p(query.to)}::timestamptz`);
    if (query.class !== undefined) where.push(`class = ANY(${p(query.class)}::text[])`);
    if (query.min_snr_db !== undefined) where.push(`snr_db >= ${p(query.min_snr_db)}`);
    if (query.cursor !== undefined) {
      const [time, id] = decodeCursor(query.cursor, ['time', 'uuid']) as [string, string];
      where.push(`(start_time, id) < (${p(time)}::timestamptz, ${p(id)}::uuid)`);
    }
    const { rows } = await this.db.query(
      `${SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY start_time DESC, id DESC LIMIT ${p(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(toDetection);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor:
        rows.length > query.limit && last !== undefined ? encodeCursor([last.start_time, last.id]) : null,
    };
  }
}

const SELECT = `SELECT id::text AS id, node_id::text AS node_id, ${isoColumn('start_time')} AS start_iso, ${isoColumn('end_time')} AS end_iso,
  freq_low_hz, freq_high_hz, snr_db, power_dbfs, class FROM detections`;
