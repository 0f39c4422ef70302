// Bundles the compiled server's entry into one file, OUT/server.mjs (`npm start` runs it): the
// server's own ~390 modules and the ~1100 files of its dependencies, which Node otherwise finds,
// reads and compiles one by one at every start. Each source file keeps its own import.meta.url:
// it is replaced by the URL of its compiled counterpart in OUT (tsc's output, still built), so that
// paths relative to a module (the web UI, package.json, the evidence pack verifier) resolve as in
// dist/, and worker threads (JobWorker) start from the compiled module, not from the bundle.
// Libraries loaded on first use (lazy-module.ts) and those with native parts stay in node_modules.
//   node scripts/bundle-server.mjs OUT
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, process.argv[2] ?? 'dist');
const src = resolve(root, 'src');

const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      const compiled = relative(src, args.path).replace(/\.ts$/, '.js');
      const contents = (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', `new URL(${JSON.stringify(compiled)}, import.meta.url).href`);
      return { contents, loader: 'ts' };
    });
  },
};

await build({
  stdin: { contents: "import { serve } from './main.js';\nawait serve();\n", resolveDir: src, sourcefile: 'server-entry.ts', loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: `${out}/server.mjs`,
  plugins: [ownImportMetaUrl],
  external: ['better-sqlite3', 'pg', '@aws-sdk/*', 'openpgp', 'jose', 'yauzl', 'yazl', 'yaml', 'xz-decompress', 'pino-pretty'],
  // CommonJS dependencies call require() and read __dirname, which an ES module does not have.
  banner: {
    js: "import { createRequire as __troveCreateRequire } from 'node:module'; import { fileURLToPath as __troveFileURLToPath } from 'node:url'; const require = __troveCreateRequire(import.meta.url); const __filename = __troveFileURLToPath(import.meta.url); const __dirname = __troveFileURLToPath(new URL('.', import.meta.url));",
  },
  legalComments: 'none',
  logLevel: 'warning',
  sourcemap: true,
});
