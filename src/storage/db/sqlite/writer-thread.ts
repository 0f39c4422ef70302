import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { StatementCache } from './statement-cache.js';
import type { WriterReply, WriterRequest } from './writer-connection.js';

// The SQLite writer connection, on a thread of its own (see writer-connection.ts): every write
// statement, and the COMMIT's fsync, run here instead of on the event loop's thread.

const file = new SQLite(workerData.file as string);
file.pragma('journal_mode = WAL');
file.pragma('synchronous = FULL');
file.pragma('foreign_keys = ON');
file.pragma('busy_timeout = 5000');
const statements = new StatementCache(file);
const port = parentPort!;

port.on('message', (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    if (request.close) file.close();
    else if (request.script) file.exec(request.sql);
    reply = { id: request.id, result: request.close || request.script ? { rows: [] } : statements.run(request.sql, request.parameters) };
  } catch (caught) {
    const error = caught as { message?: string; code?: unknown; name?: string };
    reply = { id: request.id, error: { message: String(error.message ?? caught), code: error.code, name: error.name } };
  }
  port.postMessage(reply);
});
port.postMessage({ id: 0, result: { rows: [] } } satisfies WriterReply);
