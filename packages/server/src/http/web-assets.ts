/**
 * Serves the web dashboard (apps/web, built by Vite into static files) at `/`. Any GET that is not
 * an API route and not a file gets `index.html`, so a reload on `/nodes/abc` opens that page (the
 * app routes on the client). Unknown `/api/...` paths stay JSON 404s.
 *
 * Where the files are: next to the bundled CLI (`apps/cli/dist/web`, copied by build-cli.mjs), or
 * in a repository checkout `apps/web/dist`. When neither exists the dashboard is not built, and `/`
 * says how to build it instead of a bare 404.
 *
 * Vite names assets by content hash (`/assets/index-3f2a1c.js`): they are cached for a year;
 * `index.html` is revalidated on every load so a new build is picked up at once.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths that belong to the server, never to the app: a miss there is a JSON 404. */
const SERVER_PREFIXES = ['/api/', '/health', '/ready', '/metrics', '/openapi.json', '/docs'];

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The first folder holding a built dashboard, or undefined. */
export function findWebRoot(candidates: readonly string[] = defaultWebRoots()): string | undefined {
  return candidates.find((dir) => existsSync(resolve(dir, 'index.html')));
}

function defaultWebRoots(): string[] {
  return [
    // bundled CLI: apps/cli/dist/<chunk>.js -> apps/cli/dist/web
    fileURLToPath(new URL('./web/', import.meta.url)),
    // repository checkout: packages/server/src/http -> apps/web/dist
    fileURLToPath(new URL('../../../../apps/web/dist/', import.meta.url)),
  ];
}

/**
 * The file under `root` that a URL path names, or undefined when it escapes `root` (`..`, encoded
 * or not), holds a NUL, or is not a regular file.
 */
export function resolveAsset(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const base = resolve(root);
  const file = resolve(base, `.${path.startsWith('/') ? path : `/${path}`}`);
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Heimdall</title>
<h1>Heimdall</h1><p>The web dashboard is not built. In the repository run <code>npm run build</code>
(it builds apps/web into apps/web/dist) and reload. The API works: see <a href="/docs">/docs</a>.</p>`;

/**
 * Registers `GET /*` (and HEAD) for the dashboard. `root` overrides where the built files are;
 * `null` means there are none.
 */
export function registerWebAssets(app: FastifyInstance, root: string | null = findWebRoot() ?? null): void {
  const handler = async (req: FastifyRequest, rep: FastifyReply) => {
    const urlPath = req.url.split('?')[0] ?? '/';
    if (SERVER_PREFIXES.some((p) => urlPath === p || urlPath.startsWith(p))) return rep.callNotFound();
    if (root === null) {
      return rep
        .status(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', REVALIDATE)
        .send(NOT_BUILT);
    }
    const file = urlPath === '/' ? undefined : resolveAsset(root, urlPath);
    if (file === undefined) {
      // a path with an extension is a missing file (a stale asset link), not an app page
      if (extname(urlPath) !== '' && !urlPath.endsWith('.html')) return rep.callNotFound();
      const html = await readFile(resolve(root, 'index.html'));
      return rep
        .type(CONTENT_TYPES['.html'] as string)
        .header('cache-control', REVALIDATE)
        .send(html);
    }
    const body = await readFile(file);
    const hashed = urlPath.startsWith('/assets/');
    return rep
      .type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
      .header('cache-control', hashed ? IMMUTABLE : REVALIDATE)
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
  // Fastify answers HEAD for every GET route on its own
  app.route({ method: 'GET', url: '/*', handler });
}
