import { request as httpRequest } from 'node:http';
import type { RunningTrove } from '../support/trove-process.js';

// What the conformance suite needs from a package format: publishing, adding a file and
// downloading through the format's REAL client, and a raw request for the hostile inputs
// that real clients refuse to send. Each format keeps its driver in its own folder,
// src/formats/<name>/<name>.conformance.ts, exporting `conformanceDriver`; the suite finds it
// through the format list (src/formats/index.ts).

export interface DriverContext {
  trove: RunningTrove;
  projectId: number;
}

export interface SentFile {
  fileName: string;
  bytes: Buffer;
}

export interface ClientOutcome {
  /** The client's exit code (0 = it reported success). */
  code: number;
  output: string;
}

export interface FormatDriver {
  /** package_type in the API and `package.format` in audit events. */
  format: string;
  /** `client.name` the audit record must show for this format's client. */
  clientName: string;
  /** `via` for a personal access token outside CI. */
  via: 'package_client' | 'api';
  /** The version the suite publishes: 1.0.0 unless the format spells versions otherwise (Go: v1.0.0). */
  version?: string;
  /** A fresh valid package name (unique per call). */
  newName(): string;
  /** Publishes a new version with one file through the real client. */
  publish(ctx: DriverContext, token: string, name: string, version: string): Promise<{ outcome: ClientOutcome; files: SentFile[] }>;
  /** Adds a second file to an existing version through the real client; null when the format has one file per version. */
  addFile: ((ctx: DriverContext, token: string, name: string, version: string) => Promise<{ outcome: ClientOutcome; file: SentFile }>) | null;
  /** Downloads a published file through the real client. */
  download(ctx: DriverContext, token: string, name: string, version: string, file: SentFile): Promise<Buffer>;
  /** Hostile names (traversal, separators, NUL, invalid by the format's rules). */
  badNames: string[];
  /** Tries to publish `name` (or a file called `fileName`) with a raw request; returns the HTTP status. */
  publishRaw(ctx: DriverContext, token: string, name: string, version: string, fileName?: string): Promise<number>;
  /** Hostile file names, for formats where the client chooses the file name. */
  badFileNames: string[];
}

/** A URL path segment that stays one segment: also '.' is escaped, so ".." cannot be collapsed by the client. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/**
 * An HTTP request sent exactly as written: fetch() applies the URL standard, which turns a
 * "%2E%2E" segment back into ".." and removes it, so hostile paths need node:http.
 */
export function rawRequest(method: string, url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const rawPath = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    const request = httpRequest(
      { host: target.hostname, port: target.port, method, path: rawPath, headers: { ...headers, 'content-length': String(body.length) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
