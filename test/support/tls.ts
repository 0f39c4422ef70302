import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// HTTPS for a Trove under test (TROVE_TLS_CERT/KEY): a self-signed certificate for 127.0.0.1,
// which clients are told to trust (go: SSL_CERT_FILE) and which this test process trusts too.

export interface TestCertificate {
  /** PEM certificate, also the CA file clients trust. */
  cert: string;
  key: string;
}

/** A self-signed certificate for the IP address 127.0.0.1 (subjectAltName), made with openssl in `dir`. */
export function selfSignedCertificate(dir: string): TestCertificate {
  const cert = join(dir, 'trove-cert.pem');
  const key = join(dir, 'trove-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

// The symbol through which undici (Node's fetch) finds its global dispatcher: the interop
// contract undici's own setGlobalDispatcher uses, as Node does not expose undici itself.
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Makes this process's fetch() trust `certFile` as well as the system's CAs (the test talks to
 * the HTTPS Trove through the REST API helpers), with verification left on.
 */
export async function trustInThisProcess(certFile: string): Promise<void> {
  // Node creates its dispatcher on the first fetch: a data: URL makes it exist without a connection.
  await (await fetch('data:,')).text();
  const slot = globalThis as unknown as Record<symbol, { constructor: new (options: unknown) => unknown }>;
  const Agent = slot[GLOBAL_DISPATCHER]!.constructor;
  const { rootCertificates } = await import('node:tls');
  slot[GLOBAL_DISPATCHER] = new Agent({ connect: { ca: [...rootCertificates, readFileSync(certFile, 'utf8')] } }) as never;
}
