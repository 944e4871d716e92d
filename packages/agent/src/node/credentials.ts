/**
 * A node's identity: its id and API key from enrollment, kept in `<agent dir>/credentials.json`
 * with mode 0600 in a 0700 folder (the key is the node's only secret; it is never logged).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@heimdall/errors';

export interface Credentials {
  /** The server the node enrolled with. */
  readonly server: string;
  readonly nodeId: string;
  readonly apiKey: string;
  readonly name: string;
  readonly enrolledAt: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

export function credentialsPath(agentDir: string): string {
  return join(agentDir, CREDENTIALS_FILE);
}

/** The stored credentials, or undefined when the node has not enrolled yet. */
export function readCredentials(agentDir: string): Credentials | undefined {
  const path = credentialsPath(agentDir);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`is not valid JSON (${e instanceof Error ? e.message : String(e)})`, {
      source: path,
      fix: 'delete it and enroll again with --enroll TOKEN',
    });
  }
  const c = raw as Record<string, unknown>;
  for (const k of ['server', 'node_id', 'api_key', 'name', 'enrolled_at']) {
    if (typeof c[k] !== 'string')
      throw new UserError('is missing a field', {
        source: path,
        field: k,
        fix: 'delete it and enroll again with --enroll TOKEN',
      });
  }
  return {
    server: String(c['server']),
    nodeId: String(c['node_id']),
    apiKey: String(c['api_key']),
    name: String(c['name']),
    enrolledAt: String(c['enrolled_at']),
  };
}

/** Writes the credentials atomically, readable by the owner only. */
export function writeCredentials(agentDir: string, c: Credentials): void {
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  chmodSync(agentDir, 0o700);
  const path = credentialsPath(agentDir);
  const tmp = `${path}.tmp`;
  writeFileSync(
    tmp,
    `${JSON.stringify(
      { server: c.server, node_id: c.nodeId, api_key: c.apiKey, name: c.name, enrolled_at: c.enrolledAt },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
