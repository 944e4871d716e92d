/**
 * Starting the server's worker threads (spectrum tiles, the embedded database) the same way from
 * a bundle and from TypeScript source. Bundled, the worker is its own entry next to the bundle
 * (`dist/<name>.js`, listed in scripts/build-cli.mjs); from source (tests, `node --import tsx`),
 * module hooks do not carry over to worker threads, so the worker first registers the tsx loader
 * and then imports the `.ts` entry.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The URL of worker entry `name` for a module at `moduleUrl` that sits in the same folder as the
 * entry's source: `./name.ts` from source, `./name.js` from a bundle. Undefined when it is missing.
 */
export function workerScript(moduleUrl: string, name: string): URL | undefined {
  const url = new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export function startWorker(script: URL, workerData: unknown): Worker {
  if (!script.pathname.endsWith('.ts')) return new Worker(script, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script.href)}); })`,
    { eval: true, workerData },
  );
}
