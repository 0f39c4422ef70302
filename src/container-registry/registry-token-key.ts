import { secretKeyFile } from '../storage/secrets/secret-key-file.js';

// The secret that signs registry tokens (HS256, registry-token.ts). It is kept in a file outside the
// database (TROVE_REGISTRY_TOKEN_KEY_FILE, mode 0600): whoever can read the database must not be
// able to mint tokens for any credential id it finds there. Every Trove process of one instance must
// accept the tokens any of them issued (a client's realm request and its /v2/ requests may land on
// different processes), so scale-out processes share the file as they share the audit key folder.

/** The signing key in `file`, made on first use. */
export function registryTokenKey(file: string): Promise<Buffer> {
  return secretKeyFile(file, 'registry token key');
}
