import { ConfigError, loadConfig } from './config/config.js';
import { createTrove } from './app.js';
import { listenProblem, portProblem } from './http/port-probe.js';
import { compileRemainingValidators } from './http/schemas.js';

/** `npm start` / `trove serve`: load config -> build app -> listen; SIGTERM/SIGINT close cleanly. */
export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`trove: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  // Before anything touches the data folder or the database (see port-probe.ts).
  const busy = await portProblem(config.host, config.port);
  if (busy !== null) {
    console.error(`trove: ${busy}`);
    process.exit(1);
  }
  let trove;
  try {
    trove = await createTrove(config);
  } catch (error) {
    // Storage that cannot be reached (database, bucket) is an operator problem: say it in one line.
    console.error(`trove: cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const log = trove.server.log;
  if (trove.bootstrap?.generatedToken) {
    // Printed once, on the first start only; it is stored hashed and cannot be shown again.
    process.stdout.write(
      `\n  Created the administrator "root". Its personal access token (shown only now):\n\n    ${trove.bootstrap.generatedToken}\n\n` +
        `  Open ${config.baseUrl}/ and sign in with it ("Access token").\n\n`,
    );
  }
  try {
    await trove.server.listen({
      host: config.host,
      port: config.port,
      listenTextResolver: () => `Trove listening on ${config.baseUrl} (data in ${config.dataDir})`,
    });
  } catch (error) {
    // Taken in the moment since the probe: still one line, and the database is closed cleanly.
    console.error(`trove: ${listenProblem(config.host, config.port, error as NodeJS.ErrnoException)}`);
    await trove.close().catch(() => undefined);
    process.exit(1);
  }
  compileRemainingValidators().catch((error: Error) => {
    log.fatal({ err: error }, 'a route schema does not compile');
    process.exit(1);
  });
  trove.ctx.jobs.start();
  trove.ctx.streaming.start();
  trove.ctx.auditIndexer.start();
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    trove.close().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) await serve();
