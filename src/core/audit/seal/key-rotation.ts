// Key rotation statements (docs/architecture.md#tamper-evidence: "key rotation adds the new key to the pin with a signature
// by the old one"). A statement is a C2SP signed note, signed by the OLD key, whose text is
//
//   trove-audit-key-rotation/v1
//   old <old verifier key>
//   new <new verifier key>
//
// `trove audit rotate-key` writes one beside the new key (<key dir>/<new key>.rotation), the
// server publishes them (GET /api/v4/audit_events/checkpoint/key_rotations), and `trove audit
// verify` trusts the new key of a statement only when the statement verifies against a key the
// operator already trusts (pinned, or itself added by a verified statement). A statement proves
// nothing by where it is found, so reading statements from the data folder is safe: whoever
// can write there still cannot sign as a retired key whose private half was deleted, nor as
// the pinned key unless they hold it.
import { SealFormatError } from './seal-error.js';
import { formatVerifierKey, keyIdToHex, openNote, parseVerifierKey, signNote, type NoteSigner, type NoteVerifierKey } from './signed-note.js';

const HEADER = 'trove-audit-key-rotation/v1';

export interface RotationStatement {
  note: string;
  /** Where it came from, for messages. */
  source: string;
}

export interface TrustChain {
  keys: NoteVerifierKey[];
  /** Keys added by a statement, each with the key that signed it. */
  rotations: Array<{ key: string; signedBy: string; source: string }>;
}

const describeKey = (key: NoteVerifierKey) => `${key.name}+${keyIdToHex(key.keyId)}`;

/** The statement that `newVerifierKey` succeeds the key of `oldSigner`, signed by it. */
export function signRotation(oldSigner: NoteSigner, newVerifierKey: string): string {
  parseVerifierKey(newVerifierKey); // refuse a malformed key before signing it
  const oldKey = formatVerifierKey(oldSigner.name, oldSigner.publicKey);
  return signNote(`${HEADER}\nold ${oldKey}\nnew ${newVerifierKey}\n`, [oldSigner]);
}

/** The old and new keys a statement's text names; throws SealFormatError when it is not one. */
export function parseRotationText(text: string): { oldKey: NoteVerifierKey; newKey: NoteVerifierKey; newVerifierKey: string } {
  const match = /^trove-audit-key-rotation\/v1\nold (\S+)\nnew (\S+)\n$/.exec(text);
  if (!match) throw new SealFormatError('not a trove-audit-key-rotation/v1 statement');
  return { oldKey: parseVerifierKey(match[1]), newKey: parseVerifierKey(match[2]), newVerifierKey: match[2] };
}

/**
 * The pinned keys plus every key that a chain of statements, each signed by a key already
 * trusted (and naming that key as the old one), adds. Statements that do not verify are ignored:
 * they add nothing.
 */
export function extendTrust(pinned: readonly NoteVerifierKey[], statements: readonly RotationStatement[]): TrustChain {
  const keys = [...pinned];
  const rotations: TrustChain['rotations'] = [];
  const same = (a: NoteVerifierKey, b: NoteVerifierKey) => a.name === b.name && a.keyId === b.keyId && Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey));
  for (let added = true; added; ) {
    added = false;
    for (const statement of statements) {
      const opened = openNote(statement.note, keys);
      if (!opened.ok) continue;
      let parsed: ReturnType<typeof parseRotationText>;
      try {
        parsed = parseRotationText(opened.text);
      } catch {
        continue;
      }
      // Signed by the old key it names: a trusted key cannot vouch for a successor of another one.
      if (!opened.verifiedBy.some((key) => same(key, parsed.oldKey))) continue;
      if (keys.some((key) => same(key, parsed.newKey))) continue;
      keys.push(parsed.newKey);
      rotations.push({ key: describeKey(parsed.newKey), signedBy: describeKey(parsed.oldKey), source: statement.source });
      added = true;
    }
  }
  return { keys, rotations };
}
