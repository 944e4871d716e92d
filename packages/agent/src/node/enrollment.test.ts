import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { enroll } from './enrollment.ts';

const NODE_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

describe('enroll: the server answer is checked against the enrollment answer schema', () => {
  /** What the stand-in server answers `POST /api/v1/enroll` with next (status 201). */
  let answer: unknown;
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const attempt = () => enroll({ serverUrl: url, token: 'het_x', name: 'roof' }, () => new Date(0));

  test('a node id and key become the credentials, whatever the node record holds', async () => {
    // a newer server's node record, which this agent's schema would not accept, does not cost the key
    answer = { node_id: NODE_ID, api_key: 'hnk_abc', node: { id: NODE_ID, status: 'something new' } };
    assert.deepEqual(await attempt(), {
      server: url,
      nodeId: NODE_ID,
      apiKey: 'hnk_abc',
      name: 'roof',
      enrolledAt: '1970-01-01T00:00:00.000Z',
    });
  });

  test('an answer without a valid node id or key is a UserError naming the field', async () => {
    for (const [body, field] of [
      [{ api_key: 'hnk_abc' }, 'node_id'],
      [{ node_id: 'not-a-uuid', api_key: 'hnk_abc' }, 'node_id'],
      [{ node_id: NODE_ID, api_key: 42 }, 'api_key'],
    ] as const) {
      answer = body;
      await assert.rejects(attempt(), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, new RegExp(`without a valid node id and key \\(${field}\\)`));
        assert.match(e.fix ?? '', /--server/);
        return true;
      });
    }
  });
});
