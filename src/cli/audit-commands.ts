import { once } from 'node:events';
import type { Command } from 'commander';
import { findGroup, subtreeNamespaceIds } from '../core/accounts/namespaces.js';
import { findProject } from '../core/accounts/projects.js';
import type { AuditLog } from '../core/audit/audit-log.js';
import { countEvents, parseAuditFilters, type AuditView } from '../core/audit/audit-query.js';
import { INSTANCE_SCOPE, loadProjectScope, namespaceScope } from '../core/audit/audit-scope.js';
import { exportHeader, recordExport, type ExportRequest } from '../core/audit/export/export-audit.js';
import { EXPORT_FORMATS, exportFormatNamed } from '../core/audit/export/export-formats.js';
import { pinProofs } from '../core/audit/export/export-proofs.js';
import { exportChunks } from '../core/audit/export/export-stream.js';
import { loadConfig } from '../config/config.js';
import type { Db } from '../storage/db/database.js';
import { cliAuditContext } from './cli-actor.js';

// `trove audit export`: the export of GET .../audit_events/export, read straight from the
// database (whoever can run this can read the database anyway), audited with the system actor
// "trove CLI as <os user>@<host>". Records go to stdout; a progress line goes to stderr only when it is a terminal.

type WithDatabase = <T>(work: (db: Db, audit: AuditLog) => Promise<T>) => Promise<T>;

interface ExportOptions {
  group?: string;
  project?: string;
  includeSubgroups: boolean;
  format: string;
  since?: string;
  until?: string;
  eventName: string[];
  authorUsername?: string;
  author?: string;
  tokenType?: string;
  tokenId?: string;
  packageName?: string;
  packageFormat?: string;
  via?: string;
  outcome?: string;
  proofs: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function resolveView(db: Db, options: ExportOptions): Promise<{ view: AuditView } & Omit<ExportRequest, 'format' | 'filters'>> {
  if (options.group && options.project) throw new Error('give --group or --project, not both');
  if (options.group) {
    const group = await findGroup(db, options.group);
    if (!group) throw new Error(`no group ${options.group}`);
    const groupIds = options.includeSubgroups ? await subtreeNamespaceIds(db, group) : [group.id];
    return { view: { kind: 'groups', groupIds }, scope: namespaceScope(group), project: null, label: group.full_path, includeSubgroups: options.includeSubgroups };
  }
  if (options.project) {
    const project = await findProject(db, options.project);
    if (!project) throw new Error(`no project ${options.project}`);
    return {
      view: { kind: 'project', projectId: project.id },
      scope: await loadProjectScope(db, project),
      project: { id: project.id, full_path: project.full_path },
      label: project.full_path,
      includeSubgroups: false,
    };
  }
  return { view: { kind: 'instance' }, scope: INSTANCE_SCOPE, project: null, label: 'instance', includeSubgroups: false };
}

async function exportToStdout(db: Db, audit: AuditLog, options: ExportOptions): Promise<void> {
  const format = exportFormatNamed(options.format);
  const filters = parseAuditFilters({
    created_after: options.since,
    created_before: options.until,
    event_name: options.eventName.length ? options.eventName : undefined,
    author_username: options.authorUsername,
    author: options.author,
    token_type: options.tokenType,
    token_id: options.tokenId,
    package_name: options.packageName,
    package_format: options.packageFormat,
    via: options.via,
    outcome: options.outcome,
  });
  if (options.proofs && !format.proofs) throw new Error('--proofs is only available with --format jsonl');
  const { view, ...where } = await resolveView(db, options);
  // As the API's proofs=true: the latest checkpoint pinned first, its tree held (~64 bytes per event).
  const proofs = options.proofs ? await pinProofs(db, loadConfig().auditProofMaxEvents) : undefined;
  const exported = { ...where, format, filters, proofs: options.proofs };
  const bounded = await recordExport(db, audit, cliAuditContext(), exported);
  const progress = process.stderr.isTTY ? await progressLine(db, view, bounded) : undefined;
  for await (const chunk of exportChunks(db, view, bounded, format, progress, proofs, exportHeader(exported, bounded))) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
  if (progress) process.stderr.write('\n');
}

async function progressLine(db: Db, view: AuditView, filters: Parameters<typeof countEvents>[2]): Promise<(n: number) => void> {
  const total = await countEvents(db, view, filters);
  const width = 30;
  return (exported) => {
    const done = total === 0 ? width : Math.round((exported / total) * width);
    process.stderr.write(`\r[${'#'.repeat(done)}${' '.repeat(width - done)}] ${exported}/${total} events`);
  };
}

export function registerAuditCommands(program: Command, withDatabase: WithDatabase): void {
  // `trove audit` may already exist (audit verify): add to it rather than define it twice.
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('read and check the audit log');
  audit
    .command('export')
    .description('write the audit events (instance, --group or --project) to stdout, oldest first')
    .option('--group <path>', 'a group (id or full path)')
    .option('--project <path>', 'a project (id or full path)')
    .option('--include-subgroups', 'with --group: the events of all groups below it too', false)
    .requiredOption('--format <format>', Object.keys(EXPORT_FORMATS).join(' | '))
    .option('--since <date>', 'events created at or after this date/time (ISO 8601)')
    .option('--until <date>', 'events created at or before this date/time (ISO 8601)')
    .option('--event-name <name>', 'only this event name (repeatable)', collect, [])
    .option('--author-username <username>')
    .option('--author <name>', 'a username or a token name')
    .option('--token-type <type>', 'personal_access_token | deploy_token | job_token | oidc (token ids are numbered per kind)')
    .option('--token-id <id>')
    .option('--package-name <name>')
    .option('--package-format <format>')
    .option('--via <via>', 'web | api | package_client | pipeline | system')
    .option('--outcome <outcome>', 'success | failure')
    .option('--proofs', 'jsonl: add to each sealed record its inclusion proof against the latest checkpoint (for audit verify --filtered)', false)
    .action(async (options: ExportOptions) => {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0); // the reader went away (| head): not an error
        throw error;
      });
      await withDatabase((db, auditLog) => exportToStdout(db, auditLog, options));
    });
}
