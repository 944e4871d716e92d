/**
 * Nodes: enrollment (one-time token -> node id and API key), listing, changes, heartbeats.
 * Secrets are returned once and stored as hashes only.
 */
import { randomUUID } from 'node:crypto';
import type {
  Heartbeat,
  HeartbeatInput,
  HeartbeatQuery,
  Location,
  Node,
  NodeQuery,
  NodeUpdate,
  Page,
} from '@heimdall/protocol';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock.ts';
import type { Database, Queryable } from '../database/database.ts';
import { ApiError, notFound } from '../errors.ts';
import { ApiKeyRepository } from '../repositories/api-key.repository.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';
import { EnrollmentTokenRepository } from '../repositories/enrollment-token.repository.ts';
import { HeartbeatRepository } from '../repositories/heartbeat.repository.ts';
import { NodeRepository } from '../repositories/node.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { hashSecret, newSecret, secretPrefix } from '../auth/secret-token.ts';

export interface EnrollmentTokenRequest {
  readonly node_name?: string | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly tags?: readonly string[] | undefined;
  /** Lifetime in seconds (default one day). */
  readonly ttl_seconds?: number | undefined;
}

export interface EnrollRequest {
  readonly token: string;
  readonly name: string;
  readonly location?: Location | null | undefined;
  readonly capabilities?: Readonly<Record<string, unknown>> | undefined;
}

/** A node without a heartbeat for this long is offline. */
export const DEFAULT_OFFLINE_AFTER_MS = 60_000;

export interface NodeServiceOptions {
  /** A node without a heartbeat for this long is offline (default 60 s). */
  readonly offlineAfterMs?: number;
}

export class NodeService {
  /** Nodes online at the last sweep (or since, by a heartbeat). */
  private online = new Set<string>();
  private swept = false;

  constructor(
    private readonly db: Database,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly options: NodeServiceOptions = {},
  ) {}

  private nodes(q: Queryable = this.db): NodeRepository {
    return new NodeRepository(q, {
      now: () => this.clock.now(),
      offlineAfterMs: this.options.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS,
    });
  }

  async createEnrollmentToken(
    by: Principal | undefined,
    req: EnrollmentTokenRequest,
  ): Promise<{ token: string; expires_at: string }> {
    const token = newSecret('hne');
    const expiresAt = new Date(this.clock.now() + (req.ttl_seconds ?? 86_400) * 1000);
    const id = await new EnrollmentTokenRepository(this.db).create({
      tokenHash: hashSecret(token),
      nodeName: req.node_name ?? null,
      groups: req.groups ?? [],
      tags: req.tags ?? [],
      createdBy: by?.kind === 'user' ? by.userId : null,
      expiresAt,
    });
    await new AuditLogRepository(this.db).addBy(by, {
      action: 'enrollment_token.create',
      target: id,
      details: { node_name: req.node_name ?? null },
    });
    return { token, expires_at: expiresAt.toISOString() };
  }

  /** Exchanges a one-time token for a new node and its API key (the key is shown only here). */
  async enroll(req: EnrollRequest): Promise<{ node_id: string; api_key: string; node: Node }> {
    const nodeId = randomUUID();
    const apiKey = newSecret('hnk');
    const node = await this.db.transaction(async (tx) => {
      const tokens = new EnrollmentTokenRepository(tx);
      const t = await tokens.consume(hashSecret(req.token), new Date(this.clock.now()));
      if (t === undefined) {
        throw new ApiError('unauthenticated', 'the enrollment token is unknown, used or expired', {
          field: 'token',
          fix: 'ask an operator for a new enrollment token',
        });
      }
      if (t.nodeName !== null && t.nodeName !== req.name) {
        throw new ApiError('invalid', `this token enrolls a node named "${t.nodeName}"`, {
          field: 'name',
          fix: `use the name "${t.nodeName}"`,
        });
      }
      const created = await this.nodes(tx).create({
        id: nodeId,
        name: req.name,
        location: req.location ?? null,
        capabilities: req.capabilities ?? {},
        groups: t.groups,
        tags: t.tags,
      });
      await tokens.linkNode(t.id, nodeId);
      await new ApiKeyRepository(tx).createForNode(
        nodeId,
        hashSecret(apiKey),
        secretPrefix(apiKey),
        `node ${req.name}`,
      );
      await new AuditLogRepository(tx).add({
        actorType: 'node',
        actorId: nodeId,
        action: 'node.enroll',
        target: nodeId,
        details: { name: req.name, token_id: t.id },
      });
      return created;
    });
    return { node_id: nodeId, api_key: apiKey, node };
  }

  list(query: NodeQuery): Promise<Page<Node>> {
    return this.nodes().list(query);
  }

  async get(id: string): Promise<Node> {
    const n = await this.nodes().get(id);
    if (n === undefined) throw notFound('node');
    return n;
  }

  async update(by: Principal | undefined, id: string, change: NodeUpdate): Promise<Node> {
    const n = await this.nodes().update(id, change);
    if (n === undefined) throw notFound('node');
    await new AuditLogRepository(this.db).addBy(by, {
      action: 'node.update',
      target: id,
      details: { fields: Object.keys(change) },
    });
    return n;
  }

  async delete(by: Principal | undefined, id: string): Promise<void> {
    if (!(await this.nodes().delete(id))) throw notFound('node');
    await new AuditLogRepository(this.db).addBy(by, {
      action: 'node.delete',
      target: id,
    });
  }

  /** Stores a node's heartbeat and announces it on the bus. */
  async heartbeat(nodeId: string, hb: HeartbeatInput): Promise<Heartbeat> {
    const receivedAt = new Date(this.clock.now());
    const before = await this.nodes().get(nodeId);
    if (before === undefined || !(await new HeartbeatRepository(this.db).insert(nodeId, hb, receivedAt)))
      throw notFound('node');
    const stored: Heartbeat = { ...hb, node_id: nodeId, received_at: receivedAt.toISOString() };
    await this.bus.publish('node.heartbeat', stored, { id: `${nodeId}:hb:${hb.time}` });
    if (before.status === 'offline') {
      const at = receivedAt.toISOString();
      this.online.add(nodeId);
      await this.bus.publish(
        'node.status',
        { node_id: nodeId, status: 'online', at },
        { id: `${nodeId}:online:${at}` },
      );
    }
    return stored;
  }

  /**
   * Announces `node.status` offline for nodes whose heartbeats stopped since the last sweep (the
   * server runs it on a timer). The first sweep only learns who is online. Several servers may
   * announce the same transition: its message id (node and last heartbeat) lets consumers dedupe.
   */
  async sweepOffline(): Promise<string[]> {
    const offlineAfter = this.options.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS;
    const now = this.clock.now();
    const seen = await this.nodes().seenSince(new Date(now - offlineAfter - 3_600_000));
    const online = new Set(seen.filter((n) => n.lastHeartbeatMs >= now - offlineAfter).map((n) => n.id));
    const wentOffline: string[] = [];
    if (this.swept) {
      for (const n of seen) {
        if (this.online.has(n.id) && !online.has(n.id)) {
          const at = new Date(n.lastHeartbeatMs + offlineAfter).toISOString();
          await this.bus.publish(
            'node.status',
            { node_id: n.id, status: 'offline', at },
            { id: `${n.id}:offline:${n.lastHeartbeatMs}` },
          );
          wentOffline.push(n.id);
        }
      }
    }
    this.swept = true;
    this.online = online;
    return wentOffline;
  }

  async heartbeats(nodeId: string, query: HeartbeatQuery): Promise<Page<Heartbeat>> {
    await this.get(nodeId);
    return new HeartbeatRepository(this.db).list(nodeId, query);
  }
}
