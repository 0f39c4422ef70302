import type { NoteVerifierKey } from '../seal/signed-note.js';
import { extendTrust } from '../seal/key-rotation.js';
import { listPublishedVerifierKeys, listRotationStatements } from '../seal/signing-keys.js';
import { readPinnedKeys } from '../verify/pinned-keys.js';

// The keys a report checks checkpoint signatures against, and says which: those the operator
// pinned (TROVE_AUDIT_TRUSTED_KEYS, plus keys their rotation statements add), as the self-check
// trusts them; without a pin, the keys this server publishes, which the report states as weaker
// (whoever rewrote the log could have written them): the evidence pack verified offline against
// the auditor's own pinned key is then the real proof.

export interface ReportTrust {
  keys: NoteVerifierKey[];
  pinned: boolean;
}

export async function reportTrust(config: { auditTrustedKeys: string | undefined; dataDir: string; auditKeyDir: string }): Promise<ReportTrust> {
  if (!config.auditTrustedKeys) return { keys: await listPublishedVerifierKeys(config.auditKeyDir), pinned: false };
  const pinned = await readPinnedKeys([], config.auditTrustedKeys, [config.dataDir, config.auditKeyDir]);
  return { keys: extendTrust(pinned.keys, await listRotationStatements(config.auditKeyDir)).keys, pinned: true };
}
