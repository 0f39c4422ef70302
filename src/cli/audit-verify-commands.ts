import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { listTrustedVerifierKeys, rotateSigningKey } from '../core/audit/seal/signing-keys.js';
import type { NoteVerifierKey } from '../core/audit/seal/signed-note.js';
import {
  databaseCheckpoints,
  databaseEvents,
  readCheckpointsFile,
  readJsonlEvents,
  readTrustedKeysFile,
  verifyAuditLog,
  type CheckpointInput,
  type VerifyResult,
  type VerifySummary,
} from '../core/audit/verify/index.js';
import { openDatabase } from '../storage/db/database.js';

// `trove audit verify` and `trove audit rotate-key` (SPEC §4.8).
//   trove audit verify --export audit.jsonl --checkpoints checkpoints.txt --trusted-key key.pub
//     offline: reads only the files. --filtered for a filtered (group/project) export, whose
//     sealed records carry inclusion proofs.
//   trove audit verify [--checkpoints saved.txt] [--trusted-key key.pub]
//     live: the events and checkpoints of the database of TROVE_DATA_DIR / TROVE_DATABASE_URL,
//     trusted keys from the key folder (TROVE_AUDIT_KEY_DIR) unless --trusted-key is given;
//     --checkpoints adds checkpoints saved elsewhere (which catches a restored older backup).
// Exit 0 with a summary, or 1 with "first bad seq N: reason".

interface VerifyCliOptions {
  export?: string;
  checkpoints: string[];
  trustedKey: string[];
  filtered: boolean;
  origin?: string;
  json: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function verifyOffline(options: VerifyCliOptions): Promise<VerifyResult> {
  if (options.checkpoints.length === 0) throw new Error('--export needs --checkpoints <file> (the checkpoints to verify against)');
  if (options.trustedKey.length === 0) throw new Error('--export needs --trusted-key <file> (the verifier keys you trust)');
  const checkpoints = await readAllCheckpoints(options.checkpoints);
  const trustedKeys = await readAllKeys(options.trustedKey);
  if (!existsSync(options.export!)) throw new Error(`no such file: ${options.export}`);
  return verifyAuditLog(readJsonlEvents(options.export!), {
    mode: options.filtered ? 'filtered' : 'full',
    checkpoints,
    trustedKeys,
    origin: options.origin,
  });
}

async function verifyLive(options: VerifyCliOptions): Promise<VerifyResult> {
  if (options.filtered) throw new Error('--filtered applies to an --export file; the database holds the whole log');
  const config = loadConfig();
  if (!config.databaseUrl && !existsSync(config.databaseFile)) throw new Error(`no database at ${config.databaseFile} (set TROVE_DATA_DIR or TROVE_DATABASE_URL)`);
  const trustedKeys = options.trustedKey.length ? await readAllKeys(options.trustedKey) : await listTrustedVerifierKeys(config.auditKeyDir);
  if (trustedKeys.length === 0) throw new Error(`no verifier keys in ${config.auditKeyDir}: give --trusted-key <file>`);
  const saved = await readAllCheckpoints(options.checkpoints);
  // No migration and no writes: the database is read as it is.
  const db = openDatabase({ sqliteFile: config.databaseFile, postgresUrl: config.databaseUrl });
  try {
    // Checkpoints first: the sealer may go on sealing while the events are read.
    const checkpoints = [...(await databaseCheckpoints(db)), ...saved];
    return await verifyAuditLog(databaseEvents(db), { mode: 'full', checkpoints, trustedKeys, origin: options.origin });
  } finally {
    await db.destroy();
  }
}

async function readAllCheckpoints(paths: string[]): Promise<CheckpointInput[]> {
  const all: CheckpointInput[] = [];
  for (const path of paths) all.push(...(await readCheckpointsFile(path)));
  return all;
}

async function readAllKeys(paths: string[]): Promise<NoteVerifierKey[]> {
  const all: NoteVerifierKey[] = [];
  for (const path of paths) all.push(...(await readTrustedKeysFile(path)));
  return all;
}

function range(first: number | null, last: number | null): string {
  if (first === null || last === null) return '';
  return first === last ? ` (seq ${first})` : ` (seq ${first}..${last})`;
}

export function formatSummary(summary: VerifySummary, source: string): string {
  const lines = [`audit log verified: ${source}${summary.origin ? `, origin ${summary.origin}` : ''}`];
  lines.push(`  events checked:        ${summary.events}${range(summary.firstSeq, summary.lastSeq)}`);
  const sizes = summary.checkpoints ? ` (tree sizes ${summary.smallestTreeSize}..${summary.latestTreeSize})` : '';
  const how =
    summary.mode === 'full'
      ? summary.checkpoints
        ? `, each root recomputed from the events (so they are consistent)`
        : ''
      : `, ${summary.inclusionProofs} inclusion proofs verified (a filtered export: events outside the filter were not checked)`;
  lines.push(`  checkpoints verified:  ${summary.checkpoints}${sizes}${how}`);
  lines.push(`  keys used:             ${summary.keys.length ? summary.keys.map((k) => `${k.key} (${k.checkpoints})`).join(', ') : 'none'}`);
  lines.push(`  not yet sealed:        ${summary.unsealed ? `${summary.unsealed.count} events${range(summary.unsealed.firstSeq, summary.unsealed.lastSeq)}` : 'none'}`);
  if (summary.checkpoints === 0) lines.push('  warning: no checkpoint at all, so nothing is sealed by a signature');
  if (summary.withoutLeafHash) lines.push(`  note: ${summary.withoutLeafHash} events carried no leaf_hash (recomputed only)`);
  return lines.join('\n');
}

export function registerAuditVerifyCommands(program: Command): void {
  // `trove audit` may already exist (audit export): add to it rather than define it twice.
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('read and check the audit log');

  audit
    .command('verify')
    .description('check the audit log (an --export file, or the live database) against signed checkpoints; exit 0, or 1 naming the first bad seq')
    .option('--export <file>', 'a JSONL export to verify offline (without it: the live database)')
    .option('--checkpoints <file>', 'signed checkpoints: the JSON of GET /api/v4/audit_events/checkpoints or the text of .../checkpoints/all.txt (repeatable)', collect, [])
    .option('--trusted-key <file>', 'verifier keys, one per line (GET /api/v4/audit_events/checkpoint/public_key) (repeatable)', collect, [])
    .option('--filtered', 'the export is filtered (a group or project): check inclusion proofs instead of the whole tree', false)
    .option('--origin <origin>', 'the origin the checkpoints must name (default: that of the first trusted checkpoint)')
    .option('--json', 'print the result as JSON', false)
    .action(async (options: VerifyCliOptions) => {
      const result = options.export ? await verifyOffline(options) : await verifyLive(options);
      if (options.json) {
        console.log(JSON.stringify(result));
      } else if (result.ok) {
        console.log(formatSummary(result.summary, options.export ? `${options.export}${options.filtered ? ' (filtered export)' : ''}` : 'live database'));
      } else {
        console.log(result.seq === null ? `verification failed: ${result.reason}` : `first bad seq ${result.seq}: ${result.reason}`);
      }
      process.exitCode = result.ok ? 0 : 1;
    });

  audit
    .command('rotate-key')
    .description('make a new checkpoint signing key in the key folder; the old verifier key stays trusted')
    .option('--name <name>', 'the key name (default: trove-audit-<date>)')
    .action(async (options: { name?: string }) => {
      const config = loadConfig();
      const key = await rotateSigningKey(config.auditKeyDir, { name: options.name });
      console.log(key.verifierKey);
      console.error(`new signing key in ${config.auditKeyDir}; restart running Trove processes so that they sign with it`);
    });
}
