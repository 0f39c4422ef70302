import { createRequire } from 'node:module';

// Libraries only some requests need (a format's archive readers, OpenPGP signing, JWT checks) are
// loaded on first use and kept: loading them all cost about half a second of a start, before the
// first answer, on a Trove that may never serve that format.

/** An ES module imported on first call (later calls share the same promise). */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** A CommonJS module required on first call, for synchronous code. */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(specifier) as T);
}

/** yauzl, the zip reader of the formats whose uploads are zips (Go module zips, Composer dists). */
export const yauzlLibrary = lazyModule(async () => (await import('yauzl')).default);
