/**
 * Runs the docs page's script against a minimal stand-in for the DOM (no browser here) and the real
 * /openapi.json: every operation, its role and its parameters end up on the page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DOCS_PAGE } from './docs-page.ts';
import { startHarness, type Harness } from './server-harness.ts';

class FakeElement {
  readonly children: (FakeElement | string)[] = [];
  readonly attrs = new Map<string, string>();
  textContent = '';
  constructor(readonly tag: string) {}
  setAttribute(k: string, v: string): void {
    this.attrs.set(k, v);
  }
  append(...kids: (FakeElement | string)[]): void {
    this.children.push(...kids);
  }
  text(): string {
    return this.textContent + this.children.map((c) => (typeof c === 'string' ? c : c.text())).join(' ');
  }
}

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('the docs page lists every operation with its role and parameters', async () => {
  const script = /<script>([\s\S]*)<\/script>/.exec(DOCS_PAGE)?.[1];
  assert.ok(script !== undefined);
  const about = new FakeElement('p');
  const ops = new FakeElement('div');
  const document = {
    createElement: (tag: string) => new FakeElement(tag),
    getElementById: (id: string) => (id === 'about' ? about : ops),
  };
  const spec = (await h.server.app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const fetch = async () => ({ json: async () => spec });
  const run = new Function('document', 'fetch', `return (async () => {${script}})()`) as (
    d: unknown,
    f: unknown,
  ) => Promise<void>;
  await run(document, fetch);
  await new Promise((r) => setImmediate(r));
  const text = ops.text().replace(/\s+/g, ' ');
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const method of Object.keys(methods))
      assert.ok(text.includes(`${method.toUpperCase()} ${path}`), `${method} ${path} on the page`);
  }
  assert.match(text, /freq_min_hz/);
  assert.match(text, /admin/);
  assert.match(about.text(), /Version/);
});
