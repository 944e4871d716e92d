import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '@heimdall/config';
import { createInProcessBus } from '../bus/in-process.bus.ts';
import { createServer } from '../http/server.ts';
import { ADMIN_PASSWORD, FakeClock, freshDb, startHarness, type Harness } from '../http/server-harness.ts';

describe('auth', () => {
  let h: Harness;
  const clock = new FakeClock();
  before(async () => {
    h = await startHarness({
      clock,
      config: { tokenTtlSeconds: 600, loginMaxFailures: 3, loginWindowSeconds: 60 },
    });
  });
  after(() => h.close());

  const login = (username: string, password: string, ip = '127.0.0.1') =>
    h.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: ip,
    });

  test('the first admin signs in and gets a short-lived Bearer token', async () => {
    const r = await login('admin', ADMIN_PASSWORD);
    assert.equal(r.statusCode, 200);
    const body = r.json() as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    const me = await h.server.app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(me.statusCode, 200);
    assert.equal((me.json() as { role: string }).role, 'admin');
  });

  test('passwords are stored as argon2id hashes, never in the clear', async () => {
    const { rows } = await h.db.query("SELECT password_hash FROM users WHERE username = 'admin'");
    assert.match(String(rows[0]?.['password_hash']), /^\$argon2id\$/);
    assert.doesNotMatch(String(rows[0]?.['password_hash']), new RegExp(ADMIN_PASSWORD));
  });

  test('a token stops working once it expires', async () => {
    const token = (await login('admin', ADMIN_PASSWORD).then((r) => r.json())) as { access_token: string };
    const call = () =>
      h.server.app.inject({
        url: '/api/v1/nodes',
        headers: { authorization: `Bearer ${token.access_token}` },
      });
    assert.equal((await call()).statusCode, 200);
    clock.advance(601_000);
    const expired = await call();
    assert.equal(expired.statusCode, 401);
    assert.match((expired.json() as { error: string }).error, /expired/);
  });

  test('failed logins are rate-limited per username and address, with Retry-After', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login('admin', 'wrong', '10.0.0.1')).statusCode, 401);
    const limited = await login('admin', ADMIN_PASSWORD, '10.0.0.1');
    assert.equal(limited.statusCode, 429, 'even the right password waits');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(
      (await login('admin', ADMIN_PASSWORD, '10.0.0.2')).statusCode,
      200,
      'another address is not blocked',
    );
    clock.advance(61_000);
    assert.equal((await login('admin', ADMIN_PASSWORD, '10.0.0.1')).statusCode, 200, 'the window passed');
  });

  test('admins create, change, disable and delete users; each action and login is audited', async () => {
    const admin = await h.token('admin');
    const auth = { authorization: `Bearer ${admin}` };
    const created = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth,
      payload: { username: 'olga', password: 'olga-password', role: 'viewer' },
    });
    assert.equal(created.statusCode, 201);
    const id = (created.json() as { id: string }).id;
    const dup = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth,
      payload: { username: 'olga', password: 'olga-password', role: 'viewer' },
    });
    assert.equal(dup.statusCode, 400);
    assert.equal((dup.json() as { field: string }).field, 'username');

    const olga = ((await login('olga', 'olga-password')).json() as { access_token: string }).access_token;
    const asOlga = { authorization: `Bearer ${olga}` };
    const beforePromotion = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: asOlga,
      payload: {},
    });
    assert.equal(beforePromotion.statusCode, 403);
    const promoted = await h.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: auth,
      payload: { role: 'operator' },
    });
    assert.equal(promoted.statusCode, 200);
    const afterPromotion = await h.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: asOlga,
      payload: {},
    });
    assert.equal(afterPromotion.statusCode, 201, 'a role change applies to existing tokens at once');

    await h.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: auth,
      payload: { disabled: true },
    });
    assert.equal(
      (await h.server.app.inject({ url: '/api/v1/nodes', headers: asOlga })).statusCode,
      401,
      'a disabled account is locked out',
    );
    assert.equal((await login('olga', 'olga-password')).statusCode, 401);

    assert.equal(
      (await h.server.app.inject({ method: 'DELETE', url: `/api/v1/users/${id}`, headers: auth })).statusCode,
      204,
    );
    assert.equal((await h.server.app.inject({ url: `/api/v1/users/${id}`, headers: auth })).statusCode, 404);

    const log = (await h.server.app
      .inject({ url: '/api/v1/audit-log?limit=200', headers: auth })
      .then((r) => r.json())) as { items: { action: string; target: string }[] };
    const actions = log.items.filter((e) => e.target === 'olga').map((e) => e.action);
    for (const a of ['user.create', 'auth.login', 'user.update', 'auth.login_failed', 'user.delete'])
      assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
  });

  test('the last admin cannot be demoted, disabled or deleted', async () => {
    const admin = await h.token('admin');
    const users = (await h.server.app
      .inject({ url: '/api/v1/users', headers: { authorization: `Bearer ${admin}` } })
      .then((r) => r.json())) as { items: { id: string; username: string }[] };
    const me = users.items.find((u) => u.username === 'admin');
    assert.ok(me);
    const r = await h.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${me.id}`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { role: 'viewer' },
    });
    assert.equal(r.statusCode, 403);
    assert.equal(
      (
        await h.server.app.inject({
          method: 'DELETE',
          url: `/api/v1/users/${me.id}`,
          headers: { authorization: `Bearer ${admin}` },
        })
      ).statusCode,
      403,
    );
  });
});

test('without HEIMDALL_ADMIN_PASSWORD the first start generates an admin password once; later starts keep it', async () => {
  const db = await freshDb();
  const bus = createInProcessBus();
  try {
    const first = await createServer({ config: { adminPassword: undefined }, db, bus });
    assert.ok(first.createdAdmin?.generated);
    const password = first.createdAdmin.password;
    assert.ok(password.length >= 16);
    await first.close();
    const second = await createServer({ config: { adminPassword: 'something else' }, db, bus });
    assert.equal(second.createdAdmin, undefined);
    const r = await second.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password },
    });
    assert.equal(r.statusCode, 200);
    await second.close();
  } finally {
    await bus.close();
    await db.close();
  }
});

describe('sign-in settings from the environment', () => {
  let h: Harness;
  const clock = new FakeClock();
  before(async () => {
    h = await startHarness({
      clock,
      config: loadConfig({
        HEIMDALL_TOKEN_TTL: '60',
        HEIMDALL_LOGIN_MAX_FAILURES: '2',
        HEIMDALL_LOGIN_WINDOW: '120',
      }),
    });
  });
  after(() => h.close());

  const login = (password: string, ip = '127.0.0.1') =>
    h.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password },
      remoteAddress: ip,
    });

  test('HEIMDALL_TOKEN_TTL is the expires_in of the login answer, and a token past it is refused', async () => {
    const r = await login(ADMIN_PASSWORD);
    assert.equal(r.statusCode, 200);
    const token = r.json() as { access_token: string; expires_in: number };
    assert.equal(token.expires_in, 60);
    const me = () =>
      h.server.app.inject({
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${token.access_token}` },
      });
    clock.advance(59_000);
    assert.equal((await me()).statusCode, 200, 'valid one second before its end');
    clock.advance(2_000);
    const expired = await me();
    assert.equal(expired.statusCode, 401);
    assert.match((expired.json() as { error: string }).error, /expired/);
  });

  test('HEIMDALL_LOGIN_MAX_FAILURES failures within HEIMDALL_LOGIN_WINDOW seconds make the next sign-in wait', async () => {
    assert.equal((await login('wrong', '10.1.0.1')).statusCode, 401);
    assert.equal((await login('wrong', '10.1.0.1')).statusCode, 401, 'the second failure is still answered');
    const limited = await login(ADMIN_PASSWORD, '10.1.0.1');
    assert.equal(limited.statusCode, 429, 'the third attempt waits, even with the right password');
    assert.equal(limited.headers['retry-after'], '120', 'for the whole window');
    clock.advance(119_000);
    assert.equal((await login(ADMIN_PASSWORD, '10.1.0.1')).statusCode, 429, 'until the window passes');
    clock.advance(1_000);
    assert.equal((await login(ADMIN_PASSWORD, '10.1.0.1')).statusCode, 200);
  });
});
