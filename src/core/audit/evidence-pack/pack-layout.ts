// The files of an evidence pack (docs/auditors.md): one zip an auditor verifies on their own
// machine, with `trove audit verify --pack <folder>` or with the verify.mjs that travels in it.
// Shared by the server that builds packs and the verifier that reads them.

export const PACK_FILES = {
  /** The JSONL export of the scope and period, every sealed record with its inclusion proof. */
  events: 'events.jsonl',
  /** The signed checkpoints (C2SP signed notes separated by "---" lines), oldest first. */
  checkpoints: 'checkpoints/checkpoints.txt',
  /** Consistency proofs from every checkpoint of the pack to the latest one (the proofs' tree). */
  consistency: 'checkpoints/consistency.json',
  /** The verifier keys the server trusts (its pin), one per line. */
  trustedKeys: 'keys/trusted-keys.txt',
  /** Key rotation statements: a new key, signed by the key it succeeds. */
  keyRotations: 'keys/key-rotations.txt',
  readme: 'README.md',
  verifier: 'verify.mjs',
  /** `sha256sum` lines of every other file. */
  manifest: 'MANIFEST.sha256',
} as const;

/** One consistency proof as consistency.json holds it. */
export interface ConsistencyProofJson {
  first: number;
  second: number;
  hashes: string[];
}
