import type { AuditLog } from '../../core/audit/audit-log.js';
import type { AuditContext, Changes } from '../../core/audit/audit-types.js';
import { fieldChanges, patchedFields } from '../../core/audit/field-changes.js';
import { settingsOwnerAudit, settingsOwnerPath, type SettingsOwner } from '../../core/audit/settings-owner.js';
import { nowIso } from '../../core/clock.js';
import { errors } from '../../core/errors.js';
import type { Db, Tx } from '../../storage/db/database.js';
import type { DebianDistributionsTable } from '../../storage/db/schema.js';
import { assertArchitecture, assertComponent, assertDistributionName } from './debian-names.js';
import { generateDistributionKey } from './debian-signing.js';

// Debian distributions of a project or of a group (GitLab's project_ and group_debian_distributions):
// the Release file's fields, the components and architectures its indexes are made for, and its
// signing key. The tables belong to this format alone (migrations 032 and 033, the same columns but
// the owner's), so their queries live here. Every change is audited in its transaction, with each
// field's from/to, as the owner's other settings are: a project's on the project's scope, a group's
// on the group.

export type DistributionRow = Omit<DebianDistributionsTable, 'id' | 'project_id'> & { id: number };

/** Whose distributions: a project's (its apt source serves its packages) or a group's (those of the projects below it). */
export type DistributionOwner = SettingsOwner;

/**
 * The owner's table and column (a number is a project's id). Both tables have the same columns but
 * the owner's, so one query serves both: it is typed as the project table's, with the owner's column.
 */
function ownerTable(owner: DistributionOwner | number) {
  if (typeof owner === 'number') return { table: 'debian_distributions' as const, column: 'project_id' as const, id: owner };
  return owner.kind === 'project'
    ? { table: 'debian_distributions' as const, column: 'project_id' as const, id: owner.project.id }
    : { table: 'debian_group_distributions' as 'debian_distributions', column: 'group_id' as 'project_id', id: owner.group.id };
}

const ownerPath = settingsOwnerPath;

/** What a client may set: GitLab's distribution attributes, the lists as arrays of names. */
export type DistributionFields = Pick<DistributionRow, 'codename' | 'suite' | 'origin' | 'label' | 'version' | 'description' | 'valid_time_duration_seconds'> & {
  components: string[];
  architectures: string[];
};

const FIELD_NAMES = ['codename', 'suite', 'origin', 'label', 'version', 'description', 'valid_time_duration_seconds', 'components', 'architectures'] as const;
const MAX_PER_OWNER = 100;
const MAX_LIST = 50;
/** GitLab's minimum: a Release valid for less than a day would expire between two updates. */
export const MIN_VALID_TIME_SECONDS = 24 * 3600;

export function fieldsOf(row: DistributionRow): DistributionFields {
  return {
    codename: row.codename,
    suite: row.suite,
    origin: row.origin,
    label: row.label,
    version: row.version,
    description: row.description,
    valid_time_duration_seconds: row.valid_time_duration_seconds,
    components: JSON.parse(row.components) as string[],
    architectures: JSON.parse(row.architectures) as string[],
  };
}

/** The API's view of a distribution (GitLab's, plus the signing key's fingerprint). */
export function distributionToApi(row: DistributionRow) {
  return { id: row.id, ...fieldsOf(row), key_fingerprint: row.key_fingerprint, created_at: row.created_at, updated_at: row.updated_at };
}

/** One line of Release text: no line breaks in the one-line fields, printable text only. */
function oneLine(what: string, value: string | null, max = 255): string | null {
  if (value === null || value === '') return null;
  if (value.length > max || /[\u0000-\u001f\u007f]/.test(value)) throw errors.badRequest(`${what} is invalid`);
  return value;
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** Checks the fields as GitLab does; "all" is always an architecture, "main" the component when none is given. */
export function validatedFields(input: DistributionFields): DistributionFields {
  const codename = assertDistributionName(input.codename);
  const suite = input.suite === null || input.suite === '' ? null : assertDistributionName(input.suite);
  if (suite === codename) throw errors.badRequest('suite must differ from codename');
  const valid = input.valid_time_duration_seconds;
  if (valid !== null && (!Number.isInteger(valid) || valid < MIN_VALID_TIME_SECONDS || valid > 10 * 365 * 86_400)) {
    throw errors.badRequest(`valid_time_duration_seconds must be at least ${MIN_VALID_TIME_SECONDS}`);
  }
  if (input.components.length > MAX_LIST || input.architectures.length > MAX_LIST) throw errors.badRequest(`At most ${MAX_LIST} components and architectures`);
  const components = sortedUnique(input.components.map(assertComponent));
  return {
    codename,
    suite,
    origin: oneLine('origin', input.origin),
    label: oneLine('label', input.label),
    version: oneLine('version', input.version),
    description: oneLine('description', input.description, 1000),
    valid_time_duration_seconds: valid,
    components: components.length > 0 ? components : ['main'],
    architectures: sortedUnique(['all', ...input.architectures.map(assertArchitecture)]),
  };
}

export async function distributionsOf(db: Db, owner: DistributionOwner | number): Promise<DistributionRow[]> {
  const { table, column, id } = ownerTable(owner);
  return db.selectFrom(table).selectAll().where(column, '=', id).orderBy('id').execute();
}

/** The distribution a client names by codename, or else by suite (apt's sources.list may say either). */
export async function findDistribution(db: Db | Tx, owner: DistributionOwner | number, name: string): Promise<DistributionRow | undefined> {
  const { table, column, id } = ownerTable(owner);
  const rows = await db
    .selectFrom(table)
    .selectAll()
    .where(column, '=', id)
    .where((eb) => eb.or([eb('codename', '=', name), eb('suite', '=', name)]))
    .execute();
  return rows.find((row) => row.codename === name) ?? rows[0];
}

/** The distributions of this codename among these projects' (a group distribution's sources), by project id. */
export async function projectDistributionsNamed(db: Db, projectIds: number[], codename: string): Promise<Map<number, DistributionRow>> {
  if (projectIds.length === 0) return new Map();
  const rows = await db.selectFrom('debian_distributions').selectAll().where('project_id', 'in', projectIds).where('codename', '=', codename).execute();
  return new Map(rows.map((row) => [row.project_id, row]));
}

async function byCodename(tx: Tx, owner: DistributionOwner, codename: string): Promise<DistributionRow> {
  const { table, column, id } = ownerTable(owner);
  const row = await tx.selectFrom(table).selectAll().where(column, '=', id).where('codename', '=', codename).executeTakeFirst();
  if (!row) throw errors.notFound('404 Distribution Not Found');
  return row;
}

type DistributionEvent = 'package_registry_debian_distribution_created' | 'package_registry_debian_distribution_updated' | 'package_registry_debian_distribution_deleted';

async function recordEvent(tx: Tx, audit: AuditLog, ctx: AuditContext, owner: DistributionOwner, eventName: DistributionEvent, row: DistributionRow, changes: Changes): Promise<void> {
  const verb = eventName.slice('package_registry_debian_distribution_'.length);
  const path = ownerPath(owner);
  await audit.record(tx, ctx, {
    eventName,
    ...(await settingsOwnerAudit(tx, owner)),
    target: { id: row.id, type: owner.kind === 'project' ? 'DebianDistribution' : 'DebianGroupDistribution', details: `${path}: ${row.codename}` },
    customMessage: `Debian distribution ${row.codename} ${verb} on ${path} (signing key ${row.key_fingerprint})`,
    changes,
  });
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function changesBetween(before: DistributionFields | null, after: DistributionFields | null): Changes {
  return fieldChanges(FIELD_NAMES, before, after, sameValue);
}

/** Creates the distribution with a new signing key; the key's fingerprint is part of the audited change. */
export async function createDistribution(db: Db, audit: AuditLog, ctx: AuditContext, kekFile: string, owner: DistributionOwner, input: DistributionFields): Promise<DistributionRow> {
  const fields = validatedFields(input);
  const { table, column, id } = ownerTable(owner);
  const key = await generateDistributionKey(kekFile, `${ownerPath(owner)} ${fields.codename} (Trove Debian distribution)`);
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom(table).select(['id', 'codename', 'suite']).where(column, '=', id).execute();
    if (existing.length >= MAX_PER_OWNER) throw errors.badRequest(`A ${owner.kind} can have at most ${MAX_PER_OWNER} distributions`);
    const names = new Set(existing.flatMap((d) => [d.codename, d.suite]));
    if (names.has(fields.codename) || (fields.suite !== null && names.has(fields.suite))) throw errors.badRequest('codename or suite is already taken');
    const at = nowIso();
    const row = await tx
      .insertInto(table)
      .values({
        [column]: id,
        ...fields,
        components: JSON.stringify(fields.components),
        architectures: JSON.stringify(fields.architectures),
        public_key: key.publicKey,
        key_fingerprint: key.fingerprint,
        encrypted_private_key: key.encryptedPrivateKey,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(tx, audit, ctx, owner, 'package_registry_debian_distribution_created', row, {
      ...changesBetween(null, fields),
      key_fingerprint: { from: null, to: key.fingerprint },
    });
    return row;
  });
}

/** Applies the fields given; the codename names the distribution and stays. A change that changes nothing records nothing. */
export async function updateDistribution(db: Db, audit: AuditLog, ctx: AuditContext, owner: DistributionOwner, codename: string, patch: Partial<DistributionFields>): Promise<DistributionRow> {
  const { table, column, id } = ownerTable(owner);
  return db.transaction().execute(async (tx) => {
    const row = await byCodename(tx, owner, codename);
    const before = fieldsOf(row);
    if (patch.codename !== undefined && patch.codename !== row.codename) throw errors.badRequest('codename cannot be changed');
    const after = validatedFields(patchedFields(before, patch));
    const changes = changesBetween(before, after);
    if (Object.keys(changes).length === 0) return row;
    if (after.suite !== null && after.suite !== before.suite) {
      const taken = await tx
        .selectFrom(table)
        .select('id')
        .where(column, '=', id)
        .where('id', '!=', row.id)
        .where((eb) => eb.or([eb('codename', '=', after.suite!), eb('suite', '=', after.suite!)]))
        .executeTakeFirst();
      if (taken) throw errors.badRequest('suite is already taken');
    }
    const updated = await tx
      .updateTable(table)
      .set({ ...after, components: JSON.stringify(after.components), architectures: JSON.stringify(after.architectures), updated_at: nowIso() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(tx, audit, ctx, owner, 'package_registry_debian_distribution_updated', updated, changes);
    return updated;
  });
}

/**
 * Removes the distribution and its key. Its packages stay (they are the project's, audited, and
 * deleted through the packages API); they are in no index until a distribution of that codename exists again.
 */
export async function deleteDistribution(db: Db, audit: AuditLog, ctx: AuditContext, owner: DistributionOwner, codename: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await byCodename(tx, owner, codename);
    await tx.deleteFrom(ownerTable(owner).table).where('id', '=', row.id).execute();
    await recordEvent(tx, audit, ctx, owner, 'package_registry_debian_distribution_deleted', row, {
      ...changesBetween(fieldsOf(row), null),
      key_fingerprint: { from: row.key_fingerprint, to: null },
    });
  });
}
