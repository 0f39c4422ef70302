import { createServer } from 'node:net';

/**
 * Binds host:port and releases it at once: null when the server will be able to listen there,
 * else one line for the operator. Run before the data folder is created or migrated, so that a
 * second server started by mistake on a busy port leaves no database and prints no root token.
 */
export function portProblem(host: string, port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(listenProblem(host, port, error)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

/** The operator's line for a failed listen (also used if the port is taken between probe and listen). */
export function listenProblem(host: string, port: number, error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (set TROVE_PORT to a free port, or TROVE_HOST to another address; or stop the server already running there)`;
  }
  if (error.code === 'EACCES') return `no permission to listen on port ${port} on ${host} (set TROVE_PORT to a port above 1023)`;
  if (error.code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine (set TROVE_HOST to 127.0.0.1 or ::1)`;
  return `cannot listen on ${host}:${port}: ${error.message}`;
}
