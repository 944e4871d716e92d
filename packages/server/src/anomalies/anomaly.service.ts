/** Anomalies for operators: list, read, acknowledge (audit-logged). The engine writes through the repository. */
import type { Anomaly, AnomalyQuery, Page } from '@heimdall/protocol';
import type { Principal } from '../auth/principal.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../database/database.ts';
import { forbidden, notFound } from '../errors.ts';
import { AnomalyRepository, type NewAnomaly } from '../repositories/anomaly.repository.ts';
import { AuditLogRepository } from '../repositories/audit-log.repository.ts';

export class AnomalyService {
  constructor(
    private readonly db: Database,
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly clock: Clock,
  ) {}

  /** The repository the anomaly engine feeds: its `insert` publishes `anomaly.created`. */
  get repository(): AnomalyRepository {
    return new AnomalyRepository(this.db, this.bus);
  }

  insert(a: NewAnomaly): Promise<Anomaly> {
    return this.repository.insert(a);
  }

  list(query: AnomalyQuery): Promise<Page<Anomaly>> {
    return this.repository.list(query);
  }

  async get(id: string): Promise<Anomaly> {
    const a = await this.repository.get(id);
    if (a === undefined) throw notFound('anomaly');
    return a;
  }

  async acknowledge(by: Principal | undefined, id: string, comment: string | undefined): Promise<Anomaly> {
    if (by?.kind !== 'user') throw forbidden('only a user may acknowledge an anomaly');
    const a = await this.repository.acknowledge(
      id,
      { id: by.userId, username: by.username },
      comment ?? null,
      new Date(this.clock.now()),
    );
    if (a === undefined) throw notFound('anomaly');
    await new AuditLogRepository(this.db).addBy(by, {
      action: 'anomaly.acknowledge',
      target: id,
      details: { comment: comment ?? null },
    });
    return a;
  }
}
