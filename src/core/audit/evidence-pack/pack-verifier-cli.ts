// The command line of the pack verifier, shared by `trove audit verify --pack <folder>` and the
// pack's own verify.mjs (verify-standalone.ts): prints the verdict, returns the exit code
// (0 verified, 1 a file or record is bad, 2 cannot verify: bad arguments, unreadable key file).
import { readTrustedKeysFile } from '../verify/verify-files.js';
import { formatSummary } from '../verify/verify-summary.js';
import type { NoteVerifierKey } from '../seal/signed-note.js';
import { verifyEvidencePack, type PackVerdict } from './verify-pack.js';
import { PACK_FILES } from './pack-layout.js';

export interface PackVerifierArgs {
  folder: string;
  /** The auditor's own key files; none: the pack's keys/trusted-keys.txt. */
  trustedKeyFiles: string[];
  json: boolean;
}

export function formatPackVerdict(verdict: PackVerdict, folder: string): string {
  if (!verdict.ok) return `evidence pack NOT verified: ${verdict.file}: ${verdict.seq === null ? '' : `first bad seq ${verdict.seq}: `}${verdict.reason}`;
  const lines = [formatSummary(verdict.summary, `evidence pack ${folder}`), `  files checked:         ${verdict.files} against ${PACK_FILES.manifest}`];
  lines.push(`  keys trusted:          ${verdict.trust.pinnedFrom.join(', ')}`);
  for (const rotation of verdict.trust.rotations) lines.push(`  key added by rotation: ${rotation.key} (signed by ${rotation.signedBy})`);
  if (verdict.trust.fromPack) {
    lines.push(`  note: the keys came with the pack; compare them with the key you obtained from the operator yourself, or pass it with --trusted-key <file>`);
  }
  return lines.join('\n');
}

export async function runPackVerifier(args: PackVerifierArgs, print: (line: string) => void = console.log): Promise<number> {
  let pinned: { keys: NoteVerifierKey[]; sources: string[] } | undefined;
  try {
    if (args.trustedKeyFiles.length) {
      pinned = { keys: [], sources: args.trustedKeyFiles };
      for (const file of args.trustedKeyFiles) pinned.keys.push(...(await readTrustedKeysFile(file)));
    }
  } catch (error) {
    print(`cannot verify: ${(error as Error).message}`);
    return 2;
  }
  const verdict = await verifyEvidencePack(args.folder, { pinned });
  print(args.json ? JSON.stringify(verdict) : formatPackVerdict(verdict, args.folder));
  return verdict.ok ? 0 : 1;
}
