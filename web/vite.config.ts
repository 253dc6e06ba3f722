import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by `payer360 serve --web web/dist` on the API's own origin; in
// development, Vite forwards /api to a server on port 8080.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
