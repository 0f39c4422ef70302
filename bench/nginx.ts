import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from '../test/support/trove-process.js';
import { stopChild, waitForHttp } from './processes.js';

// Debian's nginx serving a folder as static files on 127.0.0.1: the Maven rows' peer, the floor
// no repository server can beat (a file read and sendfile per request, no auth, no database).
// It runs in the foreground with its own prefix, config, pid and logs in a temp folder, so it
// needs no root and touches nothing of the system's nginx.

export const NGINX = '/usr/sbin/nginx';

export interface StaticServer {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

function config(prefix: string, root: string, port: number): string {
  // The master drops its workers to `user` only when it runs as root; Debian has no group
  // "nobody" (nginx's default), so name one that exists. The temp paths default to
  // /var/lib/nginx, which only root may write.
  const user = process.getuid?.() === 0 ? 'user nobody nogroup;' : '';
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(prefix, 'temp', kind)};`);
  return `${user}
daemon off;
master_process on;
worker_processes auto;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000;
  default_type application/octet-stream;
  types { text/xml xml pom; application/java-archive jar; text/plain sha1 md5; }
${temp.join('\n')}
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`;
}

/** Starts nginx serving `root` (made readable to its workers) until stop(). */
export async function startNginx(root: string): Promise<StaticServer> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: the Maven benchmark needs Debian's nginx (apt-get install nginx-light)`);
  chmodSync(root, 0o755);
  return runNginx((prefix, port) => config(prefix, root, port), '/');
}

/**
 * The balancer of the scale-out row: nginx round-robin over `upstreams` (host:port), HTTP/1.1 with
 * keep-alive connections to them, as an operator would put it in front of several Troves
 * (docs/operations.md#scale-out-on-postgresql). Request bodies up to 1 MB stay in memory (nginx
 * would otherwise write every publish body over 16 KB to a temp file first).
 */
export async function startNginxBalancer(upstreams: string[]): Promise<StaticServer> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing (apt-get install nginx-light)`);
  return runNginx((prefix, port) => balancerConfig(prefix, upstreams, port), '/-/health');
}

function balancerConfig(prefix: string, upstreams: string[], port: number): string {
  const base = config(prefix, prefix, port);
  const http = `
  upstream trove {
${upstreams.map((u) => `    server ${u};`).join('\n')}
    keepalive 64;
  }
  client_max_body_size 1g;
  client_body_buffer_size 1m;
  proxy_buffers 32 16k;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://trove;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
  // The static server's settings (pid, logs, temp paths, keep-alive) with this server instead of its own.
  return base.slice(0, base.indexOf('  server {')) + http.slice(1);
}

async function runNginx(configFor: (prefix: string, port: number) => string, probePath: string): Promise<StaticServer> {
  const prefix = tempDir('trove-bench-nginx-');
  mkdirSync(join(prefix, 'temp'));
  // Workers run as nobody when we are root: the folders from mkdtemp are 0700.
  chmodSync(prefix, 0o755);
  const port = await freePort();
  writeFileSync(join(prefix, 'nginx.conf'), configFor(prefix, port));
  const child = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}${probePath}`, child, () => output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  // SIGTERM is nginx's fast shutdown: the master stops its workers and exits.
  return { base, pid: child.pid!, stop: () => stopChild(child) };
}
