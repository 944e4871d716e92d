/**
 * Receiver nodes, with their ingest counters. A node is `online` when its last heartbeat arrived
 * within `offlineAfterMs` of `now` (computed when read, so it never disagrees with the heartbeats).
 */
import { randomUUID } from 'node:crypto';
import { UserError } from '@heimdall/errors';
import type { Location, Node, NodeHealth, NodeQuery, NodeUpdate, Page } from '@heimdall/protocol';
import type { Queryable, Row } from '../database/database.ts';
import { isoColumn } from '../database/sql-time.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export interface NewNode {
  readonly id?: string;
  readonly name: string;
  readonly location?: Location | null;
  readonly capabilities?: Readonly<Record<string, unknown>>;
  readonly groups?: readonly string[];
  readonly tags?: readonly string[];
}

/** What one committed ingest batch adds to a node's counters. */
export interface IngestCounts {
  readonly nodeId: string;
  readonly framesReceived: number;
  readonly duplicates: number;
  readonly sequenceGaps: number;
  /** Every sequence below this one is stored now (never moves backwards). */
  readonly nextSequence: number;
  /** Stored sequences above `nextSequence`, ascending (replaces the stored set). */
  readonly acceptedAbove: readonly number[];
}

/** What a node's ingest has stored: every sequence below `next`, and `above` (ascending). */
export interface SequenceState {
  readonly next: number;
  readonly above: readonly number[];
}

/** The stored set as text ('1,5,9'): both engines return int8 arrays differently. */
const ABOVE = "array_to_string(accepted_above, ',') AS accepted_above";

function sequenceState(r: Row): SequenceState {
  const above = String(r['accepted_above'] ?? '');
  return {
    next: Number(r['next_sequence']),
    above: above === '' ? [] : above.split(',').map(Number),
  };
}

export interface NodeRepositoryOptions {
  /** A node without a heartbeat for this long is offline (default 60 s). */
  readonly offlineAfterMs?: number;
  /** Clock (default `Date.now`). */
  readonly now?: () => number;
}

const COLUMNS = (
  statusAt: string,
) => `id::text AS id, name, latitude, longitude, altitude_m, capabilities, groups, tags,
  ${isoColumn('last_heartbeat_at')} AS last_heartbeat_at, ${isoColumn('created_at')} AS created_at,
  frames_received, duplicates, sequence_gaps, next_sequence,
  CASE WHEN last_heartbeat_at >= ${statusAt} THEN 'online' ELSE 'offline' END AS status,
  ${isoColumn('hb.time')} AS hb_time, hb.cpu_percent AS hb_cpu_percent, hb.memory_used_bytes AS hb_memory_used_bytes,
  hb.memory_total_bytes AS hb_memory_total_bytes, hb.disk_free_bytes AS hb_disk_free_bytes,
  hb.temperature_c AS hb_temperature_c, hb.clock_source AS hb_clock_source, hb.clock_offset_ms AS hb_clock_offset_ms,
  hb.agent_version AS hb_agent_version, hb.receiver_state AS hb_receiver_state,
  hb.receiver_message AS hb_receiver_message, hb.spool_frames AS hb_spool_frames, hb.spool_bytes AS hb_spool_bytes`;

/** The latest heartbeat of each node (the primary key (node_id, time) makes it one index probe). */
const LATEST_HEARTBEAT = `LEFT JOIN LATERAL (
  SELECT * FROM heartbeats WHERE heartbeats.node_id = nodes.id ORDER BY heartbeats.time DESC LIMIT 1
) hb ON true`;

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toHealth(r: Row): NodeHealth | null {
  if (r['hb_time'] === null || r['hb_time'] === undefined) return null;
  return {
    time: String(r['hb_time']),
    cpu_percent: numOrNull(r['hb_cpu_percent']),
    memory_used_bytes: numOrNull(r['hb_memory_used_bytes']),
    memory_total_bytes: numOrNull(r['hb_memory_total_bytes']),
    disk_free_bytes: numOrNull(r['hb_disk_free_bytes']),
    temperature_c: numOrNull(r['hb_temperature_c']),
    clock_source: (strOrNull(r['hb_clock_source']) ?? 'unknown') as NodeHealth['clock_source'],
    clock_offset_ms: numOrNull(r['hb_clock_offset_ms']),
    agent_version: strOrNull(r['hb_agent_version']),
    receiver_state: strOrNull(r['hb_receiver_state']) as NodeHealth['receiver_state'],
    receiver_message: strOrNull(r['hb_receiver_message']),
    spool_frames: numOrNull(r['hb_spool_frames']),
    spool_bytes: numOrNull(r['hb_spool_bytes']),
  };
}

function toNode(r: Row): Node {
  const lat = r['latitude'];
  return {
    id: String(r['id']),
    name: String(r['name']),
    status: r['status'] === 'online' ? 'online' : 'offline',
    location:
      lat === null
        ? null
        : {
            lat: Number(lat),
            lon: Number(r['longitude']),
            alt_m: r['altitude_m'] === null ? null : Number(r['altitude_m']),
          },
    capabilities: (r['capabilities'] ?? {}) as Node['capabilities'],
    groups: (r['groups'] ?? []) as string[],
    tags: (r['tags'] ?? []) as string[],
    last_heartbeat_at: r['last_heartbeat_at'] === null ? null : String(r['last_heartbeat_at']),
    ingest: {
      frames_received: Number(r['frames_received']),
      duplicates: Number(r['duplicates']),
      sequence_gaps: Number(r['sequence_gaps']),
    },
    health: toHealth(r),
    created_at: String(r['created_at']),
  };
}

function uniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === '23505';
}

export class NodeRepository {
  private readonly offlineAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Queryable,
    options: NodeRepositoryOptions = {},
  ) {
    this.offlineAfterMs = options.offlineAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The instant before which a heartbeat no longer counts, as a parameter value. */
  private onlineSince(): Date {
    return new Date(this.now() - this.offlineAfterMs);
  }

  async create(node: NewNode): Promise<Node> {
    const id = node.id ?? randomUUID();
    try {
      await this.db.query(
        `INSERT INTO nodes (id, name, latitude, longitude, altitude_m, capabilities, groups, tags)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8::text[])`,
        [
          id,
          node.name,
          node.location?.lat ?? null,
          node.location?.lon ?? null,
          node.location?.alt_m ?? null,
          JSON.stringify(node.capabilities ?? {}),
          [...(node.groups ?? [])],
          [...(node.tags ?? [])],
        ],
      );
    } catch (e) {
      if (uniqueViolation(e))
        throw new UserError(`a node named "${node.name}" exists already`, {
          field: 'name',
          fix: 'choose another name',
        });
      throw e;
    }
    const created = await this.get(id);
    if (created === undefined) throw new Error(`node ${id} vanished after insert`);
    return created;
  }

  async get(id: string): Promise<Node | undefined> {
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS('$2')} FROM nodes ${LATEST_HEARTBEAT} WHERE id = $1`,
      [id, this.onlineSince()],
    );
    return rows[0] === undefined ? undefined : toNode(rows[0]);
  }

  /** Every sequence below the returned one is stored for the node (0 for a new node). */
  async nextSequence(id: string): Promise<number | undefined> {
    return (await this.sequenceState(id))?.next;
  }

  /** The node's stored-sequence state (undefined for an unknown node). */
  async sequenceState(id: string): Promise<SequenceState | undefined> {
    const { rows } = await this.db.query(`SELECT next_sequence, ${ABOVE} FROM nodes WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : sequenceState(rows[0]);
  }

  /**
   * The stored-sequence state of `ids`, their rows locked until the transaction ends (call it inside
   * one), so two servers committing frames of one node decide against the same state in turn.
   */
  async lockSequenceStates(ids: readonly string[]): Promise<Map<string, SequenceState>> {
    const out = new Map<string, SequenceState>();
    if (ids.length === 0) return out;
    const { rows } = await this.db.query(
      `SELECT id::text AS id, next_sequence, ${ABOVE} FROM nodes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    for (const r of rows) out.set(String(r['id']), sequenceState(r));
    return out;
  }

  /** Nodes by name, filtered; keyset pagination on (name, id). */
  async list(query: NodeQuery): Promise<Page<Node>> {
    const params: (string | number | Date | string[])[] = [this.onlineSince()];
    const where: string[] = [];
    const p = (v: string | number | Date | string[]) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (query.status === 'online') where.push('last_heartbeat_at >= $1');
    if (query.status === 'offline') where.push('(last_heartbeat_at IS NULL OR last_heartbeat_at < $1)');
    if (query.group !== undefined) where.push(`groups @> ${p([query.group])}::text[]`);
    if (query.tag !== undefined) where.push(`tags @> ${p([query.tag])}::text[]`);
    if (query.cursor !== undefined) {
      const [name, id] = decodeCursor(query.cursor, ['string', 'uuid']) as [string, string];
      where.push(`(name, id) > (${p(name)}, ${p(id)}::uuid)`);
    }
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS('$1')} FROM nodes ${LATEST_HEARTBEAT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY name, id LIMIT ${p(query.limit + 1)}`,
      params,
    );
    const items = rows.slice(0, query.limit).map(toNode);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor:
        rows.length > query.limit && last !== undefined ? encodeCursor([last.name, last.id]) : null,
    };
  }

  /** Applies an operator's changes; returns the node, or undefined if it does not exist. */
  async update(id: string, change: NodeUpdate): Promise<Node | undefined> {
    const sets: string[] = [];
    const params: (string | number | null | string[])[] = [id];
    const p = (v: string | number | null | string[]) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (change.name !== undefined) sets.push(`name = ${p(change.name)}`);
    if (change.location !== undefined) {
      sets.push(`latitude = ${p(change.location?.lat ?? null)}::float8`);
      sets.push(`longitude = ${p(change.location?.lon ?? null)}::float8`);
      sets.push(`altitude_m = ${p(change.location?.alt_m ?? null)}::float8`);
    }
    if (change.groups !== undefined) sets.push(`groups = ${p([...change.groups])}::text[]`);
    if (change.tags !== undefined) sets.push(`tags = ${p([...change.tags])}::text[]`);
    if (sets.length > 0) {
      try {
        await this.db.query(`UPDATE nodes SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
      } catch (e) {
        if (uniqueViolation(e))
          throw new UserError(`a node named "${change.name}" exists already`, {
            field: 'name',
            fix: 'choose another name',
          });
        throw e;
      }
    }
    return this.get(id);
  }

  /** Nodes with a heartbeat at or after `since`, with its time in ms (for online/offline transitions). */
  async seenSince(since: Date): Promise<{ id: string; lastHeartbeatMs: number }[]> {
    const { rows } = await this.db.query(
      'SELECT id::text AS id, last_heartbeat_at FROM nodes WHERE last_heartbeat_at >= $1',
      [since],
    );
    return rows.map((r) => ({
      id: String(r['id']),
      lastHeartbeatMs: (r['last_heartbeat_at'] as Date).getTime(),
    }));
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM nodes WHERE id = $1', [id])).rowCount > 0;
  }

  /** Adds one committed batch's counts (one statement for all nodes of the batch). */
  async addIngestCounts(counts: readonly IngestCounts[]): Promise<void> {
    if (counts.length === 0) return;
    await this.db.query(
      `UPDATE nodes n SET
         frames_received = n.frames_received + c.frames,
         duplicates = n.duplicates + c.dups,
         sequence_gaps = n.sequence_gaps + c.gaps,
         next_sequence = GREATEST(n.next_sequence, c.next_seq),
         accepted_above = c.above::int8[]
       FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::int8[]) AS frames, unnest($3::int8[]) AS dups,
                    unnest($4::int8[]) AS gaps, unnest($5::int8[]) AS next_seq, unnest($6::text[]) AS above) c
       WHERE n.id = c.id`,
      [
        counts.map((c) => c.nodeId),
        counts.map((c) => c.framesReceived),
        counts.map((c) => c.duplicates),
        counts.map((c) => c.sequenceGaps),
        counts.map((c) => c.nextSequence),
        // one array literal per node: unnest cannot take rows of different lengths
        counts.map((c) => `{${c.acceptedAbove.join(',')}}`),
      ],
    );
  }
}
