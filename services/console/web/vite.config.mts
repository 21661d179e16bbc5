// Builds the console's web app into dist/web, which the console backend serves. In development
// `vite --config web/vite.config.mts` serves it with hot reload and forwards the API to a running
// console backend, so the browser sees one origin and the session cookie just works.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const consoleBackend = `http://127.0.0.1:${process.env['CONSOLE_PORT'] ?? '8700'}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    // Only the Node-free part of the domain lib goes into the browser bundle.
    alias: {
      '@tongban/domain/identifiers': fileURLToPath(
        new URL('../../../libs/domain/src/identifiers.ts', import.meta.url),
      ),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': consoleBackend,
      '/health': consoleBackend,
    },
  },
});
