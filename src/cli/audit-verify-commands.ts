import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { extendTrust, type RotationStatement, type TrustChain } from '../core/audit/seal/key-rotation.js';
import { listRotationStatements, rotateSigningKey } from '../core/audit/seal/signing-keys.js';
import { NO_PINNED_KEY, readPinnedKeys, TRUSTED_KEYS_ENV } from '../core/audit/verify/pinned-keys.js';
import {
  databaseCheckpoints,
  checkedDatabaseEvents,
  checkJsonlFile,
  readCheckpointsFile,
  parseCheckpointsText,
  verifyAuditLog,
  type CheckpointInput,
  type VerifyResult,
} from '../core/audit/verify/index.js';
import { formatSummary } from '../core/audit/verify/verify-summary.js';
import { runPackVerifier } from '../core/audit/evidence-pack/pack-verifier-cli.js';
import { openDatabase } from '../storage/db/database.js';

// `trove audit verify` and `trove audit rotate-key` (docs/architecture.md#tamper-evidence).
//   trove audit verify --export audit.jsonl --checkpoints checkpoints.txt --trusted-key key.pub
//     offline: reads only the files. --filtered for a filtered (group/project) export, whose
//     sealed records carry inclusion proofs.
//   trove audit verify --trusted-key key.pub [--checkpoints saved.txt]
//     live: the events and checkpoints of the database of TROVE_DATA_DIR / TROVE_DATABASE_URL;
//     --checkpoints adds checkpoints saved elsewhere (a mirror: catches a restored older backup).
// Trusted keys: only those pinned by the operator outside the data folder (--trusted-key files,
// TROVE_AUDIT_TRUSTED_KEYS; verify/pinned-keys.ts), plus keys added by rotation statements that
// a trusted key signed (--key-rotations files; live, also those of the key folder).
//   trove audit verify --pack <folder> [--trusted-key key.pub]
//     an unzipped evidence pack, exactly as its own verify.mjs checks it (evidence-pack/verify-pack.ts).
// Exit 0 with a summary; 1 with "first bad seq N: reason"; 2 when it cannot verify (no pinned
// key, unreadable input); 3 for a filtered export given without --filtered.

export const EXIT = { verified: 0, tampered: 1, cannotVerify: 2, filteredExport: 3 } as const;

interface VerifyCliOptions {
  export?: string;
  pack?: string;
  checkpoints: string[];
  trustedKey: string[];
  keyRotations: string[];
  filtered: boolean;
  origin?: string;
  json: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** A reason verify cannot even start (exit 2): not a verdict about the log. */
class CannotVerify extends Error {}

/** The pinned keys, extended by the rotation statements they verify; refuses to go on without a pin. */
async function trustChain(options: VerifyCliOptions, dataFolders: string[], folderStatements: RotationStatement[]): Promise<TrustChain & { pinnedFrom: string[] }> {
  const pinned = await readPinnedKeys(options.trustedKey, process.env[TRUSTED_KEYS_ENV], dataFolders);
  if (pinned.keys.length === 0) throw new CannotVerify(NO_PINNED_KEY);
  const statements = [...folderStatements];
  for (const path of options.keyRotations) statements.push(...parseCheckpointsText(await readFile(path, 'utf8'), path));
  return { ...extendTrust(pinned.keys, statements), pinnedFrom: pinned.sources };
}

type Verified = { result: VerifyResult; trust: TrustChain & { pinnedFrom: string[] } };

async function verifyOffline(options: VerifyCliOptions): Promise<Verified> {
  if (options.checkpoints.length === 0) throw new CannotVerify('--export needs --checkpoints <file> (the checkpoints to verify against)');
  const trust = await trustChain(options, [], []);
  const checkpoints = await readAllCheckpoints(options.checkpoints);
  if (!existsSync(options.export!)) throw new CannotVerify(`no such file: ${options.export}`);
  // Records checked on a worker thread per core when the file is large (verify/check-workers.ts).
  const result = await verifyAuditLog(checkJsonlFile(options.export!, { size: statSync(options.export!).size }), {
    mode: options.filtered ? 'filtered' : 'full',
    checkpoints,
    trustedKeys: trust.keys,
    origin: options.origin,
  });
  return { result, trust };
}

async function verifyLive(options: VerifyCliOptions): Promise<Verified> {
  if (options.filtered) throw new CannotVerify('--filtered applies to an --export file; the database holds the whole log');
  const config = loadConfig();
  if (!config.databaseUrl && !existsSync(config.databaseFile)) throw new CannotVerify(`no database at ${config.databaseFile} (set TROVE_DATA_DIR or TROVE_DATABASE_URL)`);
  // The key folder's rotation statements are safe to read: each must verify against a trusted key.
  const trust = await trustChain(options, [config.dataDir, config.auditKeyDir], await listRotationStatements(config.auditKeyDir));
  const saved = await readAllCheckpoints(options.checkpoints);
  // No migration and no writes: the database is read as it is.
  const db = openDatabase({ sqliteFile: config.databaseFile, postgresUrl: config.databaseUrl });
  try {
    // Checkpoints first: the sealer may go on sealing while the events are read.
    const checkpoints = [...(await databaseCheckpoints(db)), ...saved];
    const result = await verifyAuditLog(checkedDatabaseEvents(db), { mode: 'full', checkpoints, trustedKeys: trust.keys, origin: options.origin });
    return { result, trust };
  } finally {
    await db.destroy();
  }
}

async function readAllCheckpoints(paths: string[]): Promise<CheckpointInput[]> {
  const all: CheckpointInput[] = [];
  for (const path of paths) all.push(...(await readCheckpointsFile(path)));
  return all;
}


function formatTrust(trust: Verified['trust']): string {
  const lines = [`  keys pinned:           ${trust.pinnedFrom.join(', ')}`];
  for (const rotation of trust.rotations) lines.push(`  key added by rotation: ${rotation.key} (signed by ${rotation.signedBy}, ${rotation.source})`);
  return lines.join('\n');
}

export function registerAuditVerifyCommands(program: Command): void {
  // `trove audit` may already exist (audit export): add to it rather than define it twice.
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('read and check the audit log');

  audit
    .command('verify')
    .description('check the audit log (an --export file, or the live database) against signed checkpoints; exit 0, or 1 naming the first bad seq')
    .option('--export <file>', 'a JSONL export to verify offline (without it: the live database)')
    .option('--pack <folder>', "an unzipped evidence pack (GET .../audit_evidence_pack): the same checks as its verify.mjs; --trusted-key instead of the pack's keys")
    .option('--checkpoints <file>', 'signed checkpoints: the JSON of GET /api/v4/audit_events/checkpoints or the text of .../checkpoints/all.txt (repeatable)', collect, [])
    .option('--trusted-key <file>', 'the verifier keys you pinned, one per line (GET /api/v4/audit_events/checkpoint/public_key), kept outside the data folder (repeatable; or TROVE_AUDIT_TRUSTED_KEYS)', collect, [])
    .option('--key-rotations <file>', 'key rotation statements (GET /api/v4/audit_events/checkpoint/key_rotations): trusts a new key signed by a trusted one (repeatable)', collect, [])
    .option('--filtered', 'the export is filtered (a group or project): check inclusion proofs instead of the whole tree', false)
    .option('--origin <origin>', 'the origin the checkpoints must name (default: that of the first trusted checkpoint)')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: VerifyCliOptions) => {
      if (options.pack) {
        process.exitCode = await runPackVerifier({ folder: options.pack, trustedKeyFiles: options.trustedKey, json: options.json });
        return;
      }
      let verified: Verified;
      try {
        verified = options.export ? await verifyOffline(options) : await verifyLive(options);
      } catch (error) {
        if (!(error instanceof CannotVerify) && (error as Error).name !== 'SealFormatError' && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        console.error(`trove audit verify: cannot verify: ${(error as Error).message}`);
        process.exitCode = EXIT.cannotVerify;
        return;
      }
      const { result, trust } = verified;
      if (options.json) {
        console.log(JSON.stringify({ ...result, trust: { pinned: trust.pinnedFrom, rotations: trust.rotations } }));
      } else if (result.ok) {
        console.log(formatSummary(result.summary, options.export ? `${options.export}${options.filtered ? ' (filtered export)' : ''}` : 'live database'));
        console.log(formatTrust(trust));
      } else if (result.filteredExport) {
        console.log(`cannot verify this export: ${result.reason}`);
      } else {
        console.log(result.seq === null ? `verification failed: ${result.reason}` : `first bad seq ${result.seq}: ${result.reason}`);
      }
      process.exitCode = result.ok ? EXIT.verified : result.filteredExport ? EXIT.filteredExport : EXIT.tampered;
    });

  audit
    .command('rotate-key')
    .description('make a new checkpoint signing key in the key folder, with a rotation statement signed by the old key')
    .option('--name <name>', 'the key name (default: trove-audit-<date>)')
    .action(async (options: { name?: string }) => {
      const config = loadConfig();
      const key = await rotateSigningKey(config.auditKeyDir, { name: options.name });
      console.log(key.verifierKey);
      console.error(`new signing key in ${config.auditKeyDir}; restart running Trove processes so that they sign with it`);
      if (key.rotation) {
        console.error(
          'the old key signed a rotation statement for it (GET /api/v4/audit_events/checkpoint/key_rotations): verifiers that pin the old key ' +
            'trust the new one through it (--key-rotations); or add the new key above to your pin',
        );
      }
    });
}
