// Bundles the `heimdall` command into one ESM file: one file to load means a fast start, which
// matters for whole-process figures such as `heimdall psd` on a large recording. Workspace
// packages are bundled from their TypeScript source; npm dependencies stay external.
import { build } from 'esbuild';
import { chmodSync, cpSync } from 'node:fs';

const outfile = new URL('../apps/cli/dist/heimdall.js', import.meta.url).pathname;
await build({
  entryPoints: [new URL('../apps/cli/src/main.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
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
  banner: { js: '#!/usr/bin/env node\n' },
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);

// The server's SQL migrations are files: they travel next to the bundle, where the loader looks.
cpSync(
  new URL('../packages/server/src/migrations', import.meta.url).pathname,
  new URL('../apps/cli/dist/migrations', import.meta.url).pathname,
  {
    recursive: true,
    filter: (src) => !src.endsWith('.ts'),
  },
);
