// One Trove start split into its phases, in the order serve() (src/main.ts) runs them, with
// the compiled server of argv[2] (default dist): loading the modules, the migrations (opened
// and run on their own first, so that createTrove's own run finds nothing to do), the rest of
// createTrove (audit self-check, signing key, root, routes), listen. Plain node, no tsx: it must
// load what `node dist/main.js` loads. Prints one JSON line of milliseconds (bench/startup.ts).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist') + '/').href;
const ms = {};
let t = performance.now();
const lap = (name) => {
  const now = performance.now();
  ms[name] = now - t;
  t = now;
};
ms.nodeBeforeScript = t;
const { loadConfig } = await import(`${dist}config/config.js`);
const { createTrove } = await import(`${dist}app.js`);
const { openDatabase, migrateToLatest } = await import(`${dist}storage/db/database.js`);
lap('loadModules');
const config = loadConfig();
const db = openDatabase({ sqliteFile: config.databaseFile, postgresUrl: config.databaseUrl });
const applied = await migrateToLatest(db);
await db.destroy();
lap('migrations');
const trove = await createTrove(config);
lap('createTroveRest');
await trove.server.listen({ host: config.host, port: config.port });
lap('listen');
await trove.close();
process.stdout.write(JSON.stringify({ ...ms, migrationsApplied: applied.length }) + '\n');
process.exit(0);
