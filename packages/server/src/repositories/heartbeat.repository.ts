/** Node heartbeats. Storing one also moves the node's `last_heartbeat_at` (server clock). */
import type { Heartbeat, HeartbeatInput, HeartbeatQuery, Page } from '@heimdall/protocol';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The columns a heartbeat is read from (0001, 0002 and 0004). */
export const HEARTBEAT_COLUMNS = `cpu_percent, memory_used_bytes, memory_total_bytes, disk_free_bytes, temperature_c, sample_drops,
  clock_source, clock_offset_ms, agent_version, receiver_state, receiver_message, overruns, spool_frames, spool_bytes, spool_dropped`;

export function toHeartbeat(r: Row): Heartbeat {
  return {
    node_id: String(r['node_id']),
    time: String(r['time_iso']),
    received_at: String(r['received_iso']),
    cpu_percent: num(r['cpu_percent']),
    memory_used_bytes: num(r['memory_used_bytes']),
    memory_total_bytes: num(r['memory_total_bytes']),
    disk_free_bytes: num(r['disk_free_bytes']),
    temperature_c: num(r['temperature_c']),
    sample_drops: Number(r['sample_drops'] ?? 0),
    clock_source: (r['clock_source'] ?? 'unknown') as Heartbeat['clock_source'],
    clock_offset_ms: num(r['clock_offset_ms']),
    agent_version: text(r['agent_version']),
    receiver_state: text(r['receiver_state']) as Heartbeat['receiver_state'],
    receiver_message: text(r['receiver_message']),
    overruns: Number(r['overruns'] ?? 0),
    spool_frames: num(r['spool_frames']),
    spool_bytes: num(r['spool_bytes']),
    spool_dropped: Number(r['spool_dropped'] ?? 0),
  };
}

export class HeartbeatRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores a heartbeat (a repeat of the same node and time is ignored) and marks the node seen at
   * `receivedAt`. Returns false when the node does not exist.
   */
  async insert(nodeId: string, hb: HeartbeatInput, receivedAt: Date = new Date()): Promise<boolean> {
    const { rows } = await this.db.query(
      `WITH node AS (
         UPDATE nodes SET last_heartbeat_at = GREATEST(COALESCE(last_heartbeat_at, $3::timestamptz), $3::timestamptz) WHERE id = $1::uuid RETURNING id
       ), ins AS (
         INSERT INTO heartbeats (node_id, time, received_at, cpu_percent, memory_used_bytes, memory_total_bytes,
                                 disk_free_bytes, temperature_c, sample_drops, clock_source, clock_offset_ms, agent_version,
                                 receiver_state, receiver_message, overruns, spool_frames, spool_bytes, spool_dropped)
         SELECT id, $2::timestamptz, $3::timestamptz, $4::real, $5::int8, $6::int8, $7::int8, $8::real, $9::int8, $10::text, $11::float8, $12::text,
                $13::text, $14::text, $15::int8, $16::int8, $17::int8, $18::int8 FROM node
         ON CONFLICT (node_id, time) DO NOTHING
       )
       SELECT count(*)::int AS found FROM node`,
      [
        nodeId,
        hb.time,
        receivedAt,
        hb.cpu_percent,
        hb.memory_used_bytes,
        hb.memory_total_bytes,
        hb.disk_free_bytes,
        hb.temperature_c,
        hb.sample_drops,
        hb.clock_source,
        hb.clock_offset_ms,
        hb.agent_version ?? null,
        hb.receiver_state ?? null,
        hb.receiver_message ?? null,
        hb.overruns ?? null,
        hb.spool_frames ?? null,
        hb.spool_bytes ?? null,
        hb.spool_dropped ?? null,
      ],
    );
    return rows[0]?.['found'] === 1;
  }

  /** A node's heartbeats, newest first, within `[from, to]`; keyset pagination on time. */
  async list(nodeId: string, query: HeartbeatQuery): Promise<Page<Heartbeat>> {
    const params: (string | number)[] = [nodeId];
    const where = ['node_id = $1'];
    const p = (v: string | number) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (query.from !== undefined) where.push(`time >= ${p(query.from)}::timestamptz`);
    if (query.to !== undefined) where.push(`time <= ${p(query.to)}::timestamptz`);
    if (query.cursor !== undefined) {
      const [time] = decodeCursor(query.cursor, ['time']) as [string];
      where.push(`time < ${p(time)}::timestamptz`);
    }
    const { rows } = await this.db.query(
      `SELECT node_id::text AS node_id, ${isoColumn('time')} AS time_iso, ${isoColumn('received_at')} AS received_iso,
              ${HEARTBEAT_COLUMNS}
       FROM heartbeats WHERE ${where.join(' AND ')} ORDER BY time DESC LIMIT ${p(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(toHeartbeat);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > query.limit && last !== undefined ? encodeCursor([last.time]) : null,
    };
  }
}
