// The sealing library of the audit log (docs/architecture.md#tamper-evidence): pure functions and small classes, no
// database or HTTP. The sealer job and `trove audit verify` import from here.
export { canonicalJson, leafHashOf } from './canonical-json.js';
export {
  HASH_SIZE,
  consistencyProof,
  emptyRoot,
  hashFromHex,
  hashToHex,
  hashesEqual,
  inclusionProof,
  isHash,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './merkle.js';
export { CompactRange, type CompactRangeJson } from './compact-range.js';
export {
  createNoteSigner,
  ed25519KeyId,
  formatVerifierKey,
  openNote,
  parseSignedNote,
  parseVerifierKey,
  signNote,
  type NoteSignature,
  type NoteSigner,
  type NoteVerification,
  type NoteVerifierKey,
} from './signed-note.js';
export {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type CheckpointVerification,
} from './checkpoint.js';
export {
  defaultKeyName,
  ensureActiveSigningKey,
  listPublishedVerifierKeys,
  listRotationStatements,
  loadActiveSigningKey,
  rotateSigningKey,
  type AuditSigningKey,
  type PublishedVerifierKey,
} from './signing-keys.js';
export { extendTrust, parseRotationText, signRotation, type RotationStatement, type TrustChain } from './key-rotation.js';
export { SealFormatError } from './seal-error.js';
