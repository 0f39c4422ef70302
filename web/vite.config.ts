import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by `npm run build` (scripts/build.sh) into dist/web, next to the compiled server, which serves
// it at `/` (src/http/web-ui.ts); `bash scripts/build.sh dist-x` puts it into dist-x/web instead.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The server's Content-Security-Policy allows no inline script: keep everything in files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/-': 'http://127.0.0.1:8080' } },
});
