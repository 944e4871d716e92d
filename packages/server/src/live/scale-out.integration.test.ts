/**
 * Two server instances on one PostgreSQL and one NATS: a viewer on one sees frames ingested by the
 * other, and a token from one is accepted by the other. Skipped unless DATABASE_URL and NATS_URL are set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { testEnv } from '@heimdall/config';
import { decodeFrame } from '@heimdall/protocol';
import { createNatsBus } from '../bus/nats.bus.ts';
import { openPostgres } from '../database/postgres.database.ts';
import { migrate } from '../migrations.ts';
import { startHarness } from '../http/server-harness.ts';
import { listen, spectrum, TestSocket } from '../ingest/ingest-harness.ts';

const dbUrl = testEnv('DATABASE_URL');
const natsUrl = testEnv('NATS_URL');
const skip =
  dbUrl === undefined || natsUrl === undefined
    ? 'DATABASE_URL and NATS_URL not both set: the two-instance live test did not run'
    : false;

test(
  'a viewer on one server sees frames ingested by another (shared PostgreSQL and NATS)',
  { skip },
  async () => {
    const url = dbUrl as string;
    const nats = natsUrl as string;
    const schema = `heimdall_test_${randomBytes(6).toString('hex')}`;
    const prefix = `t${randomBytes(5).toString('hex')}.`;
    const admin = await openPostgres({ url, maxConnections: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db1 = await openPostgres({ url, searchPath: schema, maxConnections: 4 });
    const db2 = await openPostgres({ url, searchPath: schema, maxConnections: 4 });
    const bus1 = await createNatsBus({ url: nats, prefix });
    const bus2 = await createNatsBus({ url: nats, prefix });
    try {
      await migrate(db1);
      const a = await startHarness({ db: db1, bus: bus1 });
      const b = await startHarness({ db: db2, bus: bus2 });
      try {
        const baseA = await listen(a);
        const baseB = await listen(b);
        const node = await a.enroll();
        const viewer = await a.token('viewer');
        const nodesOnB = await b.server.app.inject({
          url: '/api/v1/nodes',
          headers: { authorization: `Bearer ${viewer}` },
        });
        assert.equal(nodesOnB.statusCode, 200, 'a token from one server works on the other');

        const live = await TestSocket.open(`${baseB}/api/v1/live`, { authorization: `Bearer ${viewer}` });
        live.ws.send(JSON.stringify({ type: 'subscribe', nodes: [node.nodeId], kinds: ['spectrum'] }));
        await live.until(() => live.texts.length > 0, 'subscribed');
        const ingest = await TestSocket.open(`${baseA}/api/v1/ingest`, {
          authorization: `Bearer ${node.apiKey}`,
        });
        ingest.ws.send(spectrum(node.nodeId, 0));
        ingest.ws.send(spectrum(node.nodeId, 1));
        await live.until(() => live.binaries.length >= 2, 'two frames on the other server');
        const seqs = live.binaries.map((f) => {
          const d = decodeFrame(f);
          return d.kind === 'spectrum' ? d.sequence : -1;
        });
        assert.deepEqual(seqs.sort(), [0, 1]);
        ingest.close();
        live.close();
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await bus1.close();
      await bus2.close();
      await db1.close();
      await db2.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await admin.close();
      const nc = await connect({ servers: nats });
      const jsm = await jetstreamManager(nc);
      for (const s of ['SPECTRUM', 'EVENTS'])
        await jsm.streams.delete(`${prefix.replace('.', '_').toUpperCase()}${s}`).catch(() => false);
      await nc.close();
    }
  },
);
