import { pino, type Logger } from 'pino';

/** The process's one structured logger (Fastify logs requests through it too). Tokens never reach it. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: ['req.headers.authorization', 'req.headers["private-token"]', 'req.headers["job-token"]', 'req.headers["deploy-token"]', 'req.headers.cookie'],
  });
}
