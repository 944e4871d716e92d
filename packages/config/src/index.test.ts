import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UserError } from '@heimdall/errors';
import { loadConfig, type Env } from './index.ts';

/** The UserError `loadConfig(env)` throws (fails the test when it does not throw one). */
function refusal(env: Env): UserError {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    return e;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) accepted it`);
}

describe('auth settings', () => {
  test('unset, they are a 15-minute token, 5 failures per 15 minutes, and no trusted proxy', () => {
    const c = loadConfig({});
    assert.equal(c.tokenTtlSeconds, 900);
    assert.equal(c.loginMaxFailures, 5);
    assert.equal(c.loginWindowSeconds, 900);
    assert.equal(c.trustProxy, false);
  });

  test('set, they are read as whole numbers of seconds and failures', () => {
    const c = loadConfig({
      HEIMDALL_TOKEN_TTL: '60',
      HEIMDALL_LOGIN_MAX_FAILURES: '1000',
      HEIMDALL_LOGIN_WINDOW: '86400',
    });
    assert.equal(c.tokenTtlSeconds, 60);
    assert.equal(c.loginMaxFailures, 1000);
    assert.equal(c.loginWindowSeconds, 86_400);
  });

  test('an out-of-range or non-numeric value names the variable, the range and a fix', () => {
    const cases: [string, string, RegExp][] = [
      ['HEIMDALL_TOKEN_TTL', '59', /60 to 86400/],
      ['HEIMDALL_TOKEN_TTL', '86401', /60 to 86400/],
      ['HEIMDALL_TOKEN_TTL', '15m', /got "15m"/],
      ['HEIMDALL_TOKEN_TTL', '', /got ""/],
      ['HEIMDALL_LOGIN_MAX_FAILURES', '0', /1 to 1000/],
      ['HEIMDALL_LOGIN_MAX_FAILURES', '2.5', /whole number/],
      ['HEIMDALL_LOGIN_WINDOW', '-1', /1 to 86400/],
    ];
    for (const [name, value, message] of cases) {
      const e = refusal({ [name]: value });
      assert.equal(e.field, name, `${name}=${value}`);
      assert.match(e.message, message, `${name}=${value}`);
      assert.match(e.fix ?? '', new RegExp(`set ${name}=\\d+`), `${name}=${value}`);
    }
  });

  test('HEIMDALL_TRUST_PROXY takes true, false, or addresses, CIDR ranges and named ranges', () => {
    const trust = (v: string) => loadConfig({ HEIMDALL_TRUST_PROXY: v }).trustProxy;
    assert.equal(trust('true'), true);
    assert.equal(trust('false'), false);
    assert.equal(trust(''), false);
    assert.deepEqual(trust('10.0.0.5'), ['10.0.0.5']);
    assert.deepEqual(trust(' 10.0.0.5, 192.168.1.0/24 ,fd00::/8'), [
      '10.0.0.5',
      '192.168.1.0/24',
      'fd00::/8',
    ]);
    assert.deepEqual(trust('10.0.0.0/255.0.0.0,::1'), ['10.0.0.0/255.0.0.0', '::1']);
    assert.deepEqual(trust('loopback,uniquelocal'), ['loopback', 'uniquelocal']);
  });

  test('HEIMDALL_TRUST_PROXY refuses a hop count, a host name or a bad range, naming the entry', () => {
    const cases: [string, RegExp][] = [
      ['2', /hop count/],
      ['yes', /got "yes"/],
      ['proxy.example.com', /got "proxy.example.com"/],
      ['10.0.0.5,10.0.0.0/33', /got "10.0.0.0\/33"/],
      ['10.0.0.0/0', /got "10.0.0.0\/0"/],
      ['10.0.0.0/255.0.255.0', /got "10.0.0.0\/255.0.255.0"/],
      ['10.0.0.5,', /got ""/],
    ];
    for (const [value, message] of cases) {
      const e = refusal({ HEIMDALL_TRUST_PROXY: value });
      assert.equal(e.field, 'HEIMDALL_TRUST_PROXY', value);
      assert.match(e.message, message, value);
      assert.match(e.fix ?? '', /HEIMDALL_TRUST_PROXY=false/, value);
    }
  });
});
