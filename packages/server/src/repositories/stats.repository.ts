/** Fleet-wide figures for `GET /api/v1/stats`. */
import type { Queryable } from '../database/database.ts';

export interface FleetStats {
  readonly nodes: { readonly total: number; readonly online: number };
  readonly detections: number;
  readonly ingest: {
    readonly frames_received: number;
    readonly duplicates: number;
    readonly sequence_gaps: number;
  };
  readonly spectrum: { readonly bands: number; readonly tiles: number; readonly stored_bytes: number };
}

export class StatsRepository {
  constructor(private readonly db: Queryable) {}

  /** `onlineSince`: heartbeats at or after it count as online. */
  async fleet(onlineSince: Date): Promise<FleetStats> {
    const { rows } = await this.db.query(
      `SELECT
         (SELECT count(*) FROM nodes)::int8 AS nodes,
         (SELECT count(*) FROM nodes WHERE last_heartbeat_at >= $1)::int8 AS online,
         (SELECT count(*) FROM detections)::int8 AS detections,
         (SELECT coalesce(sum(frames_received), 0) FROM nodes)::int8 AS frames,
         (SELECT coalesce(sum(duplicates), 0) FROM nodes)::int8 AS duplicates,
         (SELECT coalesce(sum(sequence_gaps), 0) FROM nodes)::int8 AS gaps,
         (SELECT count(*) FROM spectrum_bands)::int8 AS bands,
         (SELECT count(*) FROM spectrum_tiles)::int8 AS tiles,
         (SELECT coalesce(sum(length(data)), 0) FROM spectrum_tiles)::int8 AS bytes`,
      [onlineSince],
    );
    const r = rows[0] ?? {};
    const n = (k: string) => Number(r[k] ?? 0);
    return {
      nodes: { total: n('nodes'), online: n('online') },
      detections: n('detections'),
      ingest: { frames_received: n('frames'), duplicates: n('duplicates'), sequence_gaps: n('gaps') },
      spectrum: { bands: n('bands'), tiles: n('tiles'), stored_bytes: n('bytes') },
    };
  }
}
