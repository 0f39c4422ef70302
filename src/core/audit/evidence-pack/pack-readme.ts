import { PACK_FILES } from './pack-layout.js';

// The README.md of an evidence pack: for an auditor who may never have seen Trove.

export interface ReadmeFacts {
  scope: string;
  from: string | null;
  to: string | null;
  createdAt: string;
  createdBy: string;
  /** The pack's records end with this seq (the pack's own audit event is the next). */
  throughSeq: number;
  checkpointSizes: number[];
  pinnedByOperator: boolean;
  extraFiles: string[];
}

export function packReadme(facts: ReadmeFacts): string {
  const period = `${facts.from ?? 'the beginning of the log'} to ${facts.to ?? facts.createdAt}`;
  const latest = facts.checkpointSizes[facts.checkpointSizes.length - 1];
  return `# Audit evidence pack: ${facts.scope}

Audit events of **${facts.scope}** from ${period}, exported from Trove on ${facts.createdAt}
by ${facts.createdBy} (that export is itself recorded in the audit log, as event seq ${facts.throughSeq + 1}).

## What is in it

| File | What it is |
|---|---|
| \`${PACK_FILES.events}\` | The audit events, one JSON record a line, oldest first. The first line says which filter made the export. Every record sealed by a signed checkpoint carries its \`leaf_hash\` and an \`inclusion_proof\` (RFC 9162) against the checkpoint of tree size ${latest ?? '(none yet)'}. |
| \`${PACK_FILES.checkpoints}\` | Signed checkpoints of the whole log (C2SP tlog-checkpoint, Ed25519): ${facts.checkpointSizes.length ? `tree sizes ${facts.checkpointSizes.join(', ')}` : 'none yet: the log was not sealed when the pack was made'}. |
| \`${PACK_FILES.consistency}\` | Consistency proofs (RFC 9162) from each checkpoint to the latest: the log only grew, nothing was rewritten between them. |
| \`${PACK_FILES.trustedKeys}\` | The public keys that signed the checkpoints, ${facts.pinnedByOperator ? "as the server's operator pinned them" : 'as the server publishes them (its operator pinned none)'}. |
| \`${PACK_FILES.keyRotations}\` | Key rotations: a new key, signed by the key it replaced. |
| \`${PACK_FILES.verifier}\` | A standalone verifier (Node.js 18 or later, no package to install). |
${facts.extraFiles.map((name) => `| \`${name}\` | The audit report of exactly these events (counts, package changes, denials, access and settings changes, integrity). |\n`).join('')}| \`${PACK_FILES.manifest}\` | SHA-256 of every other file (\`sha256sum -c ${PACK_FILES.manifest}\`). |

## How to verify it

Unzip the pack into an empty folder, then, in that folder, either

    node ${PACK_FILES.verifier}

or, with Trove installed,

    trove audit verify --pack .

Both run the same checks and exit with 0 and a summary when everything verifies, or with 1 and
the first bad file (and the seq of the first bad record) otherwise:

1. every file against \`${PACK_FILES.manifest}\`, and no file that it does not list;
2. each checkpoint's Ed25519 signature by a trusted key, and the consistency proof from each
   checkpoint to the latest;
3. each record: its leaf hash recomputed from the record (SHA-256 of its RFC 8785 canonical JSON),
   its inclusion proof against the signed root, and seq numbers that only grow.

**Trust the keys, not the pack.** By default the verifier trusts the keys in \`keys/\`, which came
with the pack. Obtain the log's public key from the operator through another channel (or keep the
one you were given before) and verify against it:

    node ${PACK_FILES.verifier} --trusted-key operator-key.pub

The pack proves that each record in it is in the signed log, unchanged. As any export filtered to
a scope and a period, it cannot prove that no other record of that scope exists: for that, verify a
full export of the log (\`trove audit verify --export\`, without a filter).

## Why the verifier is a Node.js script

An auditor is about as likely to have Python 3 as Node.js, but Python's standard library has no
Ed25519 (hashlib and hmac only), so a Python verifier would need a package or hand-written
elliptic-curve code, and hand-written cryptography is not something to trust evidence to.
Node.js verifies Ed25519 and SHA-256 with OpenSSL (\`node:crypto\`). \`${PACK_FILES.verifier}\` is
generated from the same source as \`trove audit verify\`, not a second implementation.
`;
}
