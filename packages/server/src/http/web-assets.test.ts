import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Fastify from 'fastify';
import { registerWebAssets, resolveAsset } from './web-assets.ts';

const root = mkdtempSync(join(tmpdir(), 'heimdall-web-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
writeFileSync(join(root, 'favicon.svg'), '<svg/>');
writeFileSync(join(tmpdir(), 'heimdall-web-secret.txt'), 'secret');
after(() => rmSync(root, { recursive: true, force: true }));

async function app(dir: string | null) {
  const a = Fastify();
  a.get('/api/v1/real', async () => ({ ok: true }));
  a.setNotFoundHandler((_req, rep) => rep.status(404).send({ error: 'not found', field: 'url' }));
  registerWebAssets(a, dir);
  await a.ready();
  return a;
}

test('serves the app, its hashed assets cached for a year and index.html revalidated', async () => {
  const a = await app(root);
  const index = await a.inject({ url: '/' });
  assert.equal(index.statusCode, 200);
  assert.match(index.headers['content-type'] as string, /^text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  const js = await a.inject({ url: '/assets/index-abc123.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /^text\/javascript/);
  assert.match(js.headers['cache-control'] as string, /immutable/);
  const svg = await a.inject({ url: '/favicon.svg' });
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
  assert.equal((await a.inject({ url: '/api/v1/real' })).json().ok, true, 'API routes win');
  await a.close();
});

test('app paths fall back to index.html; API misses and missing files stay 404s', async () => {
  const a = await app(root);
  const page = await a.inject({ url: '/nodes/6bfba06b-abf3-40a3-822f-eb9322fb528b?tab=live' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<title>app/);
  const api = await a.inject({ url: '/api/v1/nope' });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().field, 'url');
  assert.equal((await a.inject({ url: '/assets/gone-000.js' })).statusCode, 404);
  await a.close();
});

test('no path escapes the web root, encoded or not', async () => {
  const a = await app(root);
  for (const url of [
    '/../heimdall-web-secret.txt',
    '/%2e%2e/heimdall-web-secret.txt',
    '/assets/..%2f..%2fheimdall-web-secret.txt',
  ]) {
    const r = await a.inject({ url });
    assert.doesNotMatch(r.body, /secret/, url);
  }
  assert.equal(resolveAsset(root, '/%2e%2e/heimdall-web-secret.txt'), undefined);
  assert.equal(resolveAsset(root, '/a%00b'), undefined);
  assert.equal(resolveAsset(root, '/%E0%A4%A'), undefined, 'malformed escapes');
  await a.close();
});

test('without a built dashboard, / says how to build it', async () => {
  const a = await app(null);
  const r = await a.inject({ url: '/' });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /npm run build/);
  await a.close();
});
