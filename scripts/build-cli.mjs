// Bundles the `heimdall` command into apps/cli/dist: the entry (heimdall.js), the worker thread
// entry of `psd` (welch-worker.js), and one chunk per group of verbs loaded on demand, so a verb
// starts without loading the others' code (start-up counts in whole-process figures such as
// `heimdall psd` on a large recording). Workspace packages are bundled from their TypeScript
// source; npm dependencies stay external.
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, rmSync } from 'node:fs';

const src = (p) => new URL(`../apps/cli/src/${p}`, import.meta.url).pathname;
const outdir = new URL('../apps/cli/dist', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    heimdall: src('main.ts'),
    'welch-worker': src('welch-worker.ts'),
    // the server's spectrum tile worker: its client looks for ./tile-worker.js next to the bundle
    'tile-worker': new URL('../packages/server/src/spectrum/tile-worker.ts', import.meta.url).pathname,
    // the embedded database's worker (PGlite off the server's event loop), found the same way
    'pglite-worker': new URL('../packages/server/src/database/pglite-worker.ts', import.meta.url).pathname,
    // localization fixes (GCC-PHAT over the nodes' snippets), one thread per fix
    'solve-worker': new URL('../packages/server/src/localization/solve-worker.ts', import.meta.url).pathname,
  },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        // bare specifiers other than our workspaces (and node: builtins) stay external
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@heimdall/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(`${outdir}/heimdall.js`, 0o755);

// The server's SQL migrations are files: they travel next to the bundle, where the loader looks.
cpSync(new URL('../packages/server/src/migrations', import.meta.url).pathname, `${outdir}/migrations`, {
  recursive: true,
  filter: (path) => !path.endsWith('.ts'),
});

// The web dashboard (apps/web/dist, built by `npm run build:web`) travels next to the bundle too,
// where the server looks for it (packages/server/src/http/web-assets.ts).
const webDist = new URL('../apps/web/dist', import.meta.url).pathname;
if (existsSync(`${webDist}/index.html`)) cpSync(webDist, `${outdir}/web`, { recursive: true });
else console.warn('build-cli: apps/web/dist is missing; run `npm run build:web` for the dashboard');
