#!/usr/bin/env node
// The `trove` command. Runs the compiled CLI when `npm run build` has produced it,
// otherwise compiles TypeScript on the fly with tsx (development checkouts).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/trove.js', import.meta.url));
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/trove.ts', import.meta.url).href);
}
