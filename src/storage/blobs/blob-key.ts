const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * aa/bb/<sha256>, the layout every store uses below its root. The key is always a digest the
 * store computed; refusing anything else keeps folder paths traversal-proof and object keys
 * inside their prefix.
 */
export function blobPath(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`invalid blob key ${JSON.stringify(sha256)}`);
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}
