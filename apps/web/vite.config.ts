/**
 * Builds the dashboard into apps/web/dist (served by the server at `/`). Everything is bundled:
 * no CDN, no web fonts, the world map included, so it works on a network with no internet.
 * `npm run dev -w @heimdall/web` proxies the API to a server on localhost:8080.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/api': { target: 'http://localhost:8080', ws: true },
      '/openapi.json': 'http://localhost:8080',
    },
  },
});
