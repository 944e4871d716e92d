/**
 * Anomalies: raised by the anomaly engine (packages/intel, fed through {@link AnomalyRepository.insert}),
 * listed with filters and keyset pagination (newest first), acknowledged by operators.
 */
import { randomUUID } from 'node:crypto';
import type { Anomaly, AnomalyQuery, AnomalySeverity, Page } from '@heimdall/protocol';
import type { Bus } from '../bus/bus.ts';
import type { Queryable, Row, SqlParam } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** One anomaly to store. Times are ISO 8601 strings or Dates; frequencies in Hz. */
export interface NewAnomaly {
  readonly id?: string;
  /** The node that saw it first (or the only one); null for a fleet-wide anomaly. */
  readonly node_id: string | null;
  /** Every node that saw it (`node_id` is added when missing). */
  readonly node_ids: readonly string[];
  readonly time: string | Date;
  readonly end_time: string | Date | null;
  readonly freq_low_hz: number | null;
  readonly freq_high_hz: number | null;
  readonly kind: string;
  readonly score: number;
  readonly severity: AnomalySeverity;
  readonly explanation: string;
  readonly details: Readonly<Record<string, unknown>>;
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function uuidList(v: unknown): string[] {
  const s = String(v ?? '');
  return s === '' ? [] : s.split(',');
}

function toAnomaly(r: Row): Anomaly {
  return {
    id: String(r['id']),
    node_id: iso(r['node_id']),
    node_ids: uuidList(r['node_ids']),
    time: String(r['time_iso']),
    end_time: iso(r['end_iso']),
    freq_low_hz: num(r['freq_low_hz']),
    freq_high_hz: num(r['freq_high_hz']),
    kind: String(r['kind']),
    score: Number(r['score']),
    severity: String(r['severity']) as AnomalySeverity,
    explanation: String(r['explanation'] ?? ''),
    details: (r['details'] ?? {}) as Record<string, unknown>,
    acknowledged_at: iso(r['ack_iso']),
    acknowledged_by: iso(r['acknowledged_by_name']),
    ack_comment: iso(r['ack_comment']),
  };
}

const SELECT = `SELECT id::text AS id, node_id::text AS node_id, array_to_string(node_ids, ',') AS node_ids,
  ${isoColumn('time')} AS time_iso, ${isoColumn('end_time')} AS end_iso, freq_low_hz, freq_high_hz, kind, score,
  severity, explanation, details, ${isoColumn('acknowledged_at')} AS ack_iso, acknowledged_by_name, ack_comment
  FROM anomalies`;

export class AnomalyRepository {
  /**
   * @param bus when given, {@link insert} publishes `anomaly.created` after the row is written.
   *   Inside a transaction pass none and publish after the commit ({@link publishCreated}), so
   *   viewers never hear of an anomaly that was rolled back.
   */
  constructor(
    private readonly db: Queryable,
    private readonly bus?: Pick<Bus, 'publish'>,
  ) {}

  async insert(a: NewAnomaly): Promise<Anomaly> {
    const id = a.id ?? randomUUID();
    const nodeIds = [...new Set([...(a.node_id === null ? [] : [a.node_id]), ...a.node_ids])];
    const { rows } = await this.db.query(
      `WITH ins AS (
         INSERT INTO anomalies (id, node_id, node_ids, time, end_time, freq_low_hz, freq_high_hz, kind, score,
                                severity, explanation, details)
         VALUES ($1::uuid, $2::uuid, $3::uuid[], $4::timestamptz, $5::timestamptz, $6, $7, $8, $9, $10, $11, $12::jsonb)
         RETURNING *
       ) ${SELECT.replace('FROM anomalies', 'FROM ins')}`,
      [
        id,
        a.node_id,
        nodeIds,
        a.time,
        a.end_time,
        a.freq_low_hz,
        a.freq_high_hz,
        a.kind,
        a.score,
        a.severity,
        a.explanation,
        JSON.stringify(a.details),
      ],
    );
    const stored = toAnomaly(rows[0] as Row);
    if (this.bus !== undefined) await this.publishCreated(stored);
    return stored;
  }

  /**
   * Widens stored anomaly `id` to also cover `a`, the same event seen at another node: the union
   * of nodes, times and band, the higher score and severity; `a.explanation` replaces the
   * explanation (the caller words it for all the nodes). Returns undefined when there is no such row.
   */
  async merge(id: string, a: NewAnomaly): Promise<Anomaly | undefined> {
    const nodeIds = [...new Set([...(a.node_id === null ? [] : [a.node_id]), ...a.node_ids])];
    const rank = (col: string) => `(CASE ${col} WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)`;
    const { rows } = await this.db.query(
      `WITH upd AS (
         UPDATE anomalies SET
           node_ids = ARRAY(SELECT n FROM unnest(node_ids || $2::uuid[]) WITH ORDINALITY AS u (n, i)
                            GROUP BY n ORDER BY MIN(i)),
           time = LEAST(time, $3::timestamptz),
           end_time = GREATEST(end_time, $4::timestamptz),
           freq_low_hz = LEAST(freq_low_hz, $5),
           freq_high_hz = GREATEST(freq_high_hz, $6),
           score = GREATEST(score, $7),
           severity = CASE WHEN ${rank('$8::text')} > ${rank('severity')} THEN $8::text ELSE severity END,
           explanation = $9
         WHERE id = $1::uuid RETURNING *
       ) ${SELECT.replace('FROM anomalies', 'FROM upd')}`,
      [id, nodeIds, a.time, a.end_time, a.freq_low_hz, a.freq_high_hz, a.score, a.severity, a.explanation],
    );
    return rows[0] === undefined ? undefined : toAnomaly(rows[0]);
  }

  /** Announces a stored anomaly (`anomaly.created`, message id = anomaly id). */
  async publishCreated(a: Anomaly): Promise<void> {
    if (this.bus === undefined) return;
    await this.bus.publish('anomaly.created', a, { id: `anomaly:${a.id}` });
  }

  async get(id: string): Promise<Anomaly | undefined> {
    const { rows } = await this.db.query(`${SELECT} WHERE id = $1::uuid`, [id]);
    return rows[0] === undefined ? undefined : toAnomaly(rows[0]);
  }

  /**
   * Anomalies matching every filter, newest first. A node filter matches any node that saw the
   * anomaly; ranges match by overlap (an anomaly without a frequency range matches any). Pages
   * continue after the cursor's (time, id).
   */
  async list(query: AnomalyQuery): Promise<Page<Anomaly>> {
    const params: SqlParam[] = [];
    const where: string[] = [];
    const p = (v: SqlParam) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (query.node_id !== undefined) where.push(`node_ids && ${p(query.node_id)}::uuid[]`);
    if (query.kind !== undefined) where.push(`kind = ANY(${p(query.kind)}::text[])`);
    if (query.severity !== undefined) where.push(`severity = ANY(${p(query.severity)}::text[])`);
    if (query.min_score !== undefined) where.push(`score >= ${p(query.min_score)}`);
    if (query.from !== undefined) where.push(`COALESCE(end_time, time) >= ${p(query.from)}::timestamptz`);
    if (query.to !== undefined) where.push(`time <= ${p(query.to)}::timestamptz`);
    if (query.freq_min_hz !== undefined)
      where.push(`(freq_high_hz IS NULL OR freq_high_hz >= ${p(query.freq_min_hz)})`);
    if (query.freq_max_hz !== undefined)
      where.push(`(freq_low_hz IS NULL OR freq_low_hz <= ${p(query.freq_max_hz)})`);
    if (query.acknowledged !== undefined)
      where.push(query.acknowledged ? 'acknowledged_at IS NOT NULL' : 'acknowledged_at IS NULL');
    if (query.cursor !== undefined) {
      const [time, id] = decodeCursor(query.cursor, ['time', 'uuid']) as [string, string];
      where.push(`(time, id) < (${p(time)}::timestamptz, ${p(id)}::uuid)`);
    }
    const { rows } = await this.db.query(
      `${SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY time DESC, id DESC LIMIT ${p(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(toAnomaly);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor:
        rows.length > query.limit && last !== undefined ? encodeCursor([last.time, last.id]) : null,
    };
  }

  /**
   * Marks an anomaly acknowledged by `user` with an optional comment. Acknowledging again
   * replaces who, when and the comment. Returns undefined when there is no such anomaly.
   */
  async acknowledge(
    id: string,
    user: { readonly id: string | null; readonly username: string },
    comment: string | null,
    at: Date = new Date(),
  ): Promise<Anomaly | undefined> {
    const { rows } = await this.db.query(
      `WITH upd AS (
         UPDATE anomalies SET acknowledged_at = $2::timestamptz, acknowledged_by = $3::uuid,
                              acknowledged_by_name = $4, ack_comment = $5
         WHERE id = $1::uuid RETURNING *
       ) ${SELECT.replace('FROM anomalies', 'FROM upd')}`,
      [id, at, user.id, user.username, comment],
    );
    return rows[0] === undefined ? undefined : toAnomaly(rows[0]);
  }
}
