import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMigrations } from '../migrations.ts';
import { embeddedDatabaseDir, openStorage } from './database.factory.ts';

test('the embedded database lives in <data dir>/db and keeps its rows across restarts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'heimdall-db-'));
  try {
    const first = await openStorage({ dataDir, databaseUrl: undefined });
    assert.equal(first.db.kind, 'pglite');
    assert.deepEqual(
      first.migrations.applied,
      loadMigrations().map((m) => m.version),
    );
    await first.db.query(
      "INSERT INTO nodes (id, name) VALUES ('3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'kept')",
    );
    await first.db.close();
    assert.ok(existsSync(embeddedDatabaseDir(dataDir)));

    const second = await openStorage({ dataDir, databaseUrl: undefined });
    assert.deepEqual(second.migrations.applied, [], 'an existing database is not migrated again');
    const { rows } = await second.db.query('SELECT name FROM nodes');
    assert.deepEqual(rows, [{ name: 'kept' }]);
    await second.db.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an unreachable DATABASE_URL fails with an operational error that names it without its password', async () => {
  await assert.rejects(
    openStorage({ dataDir: tmpdir(), databaseUrl: 'postgres://u:secret@127.0.0.1:1/none' }),
    (e: unknown) =>
      e instanceof Error &&
      e.name === 'OperationalError' &&
      /127\.0\.0\.1:1/.test(e.message) &&
      !e.message.includes('secret'),
  );
});
