import type { Db } from '../../../storage/db/database.js';
import type { PackageLegalHoldsTable } from '../../../storage/db/schema.js';
import type { Selectable } from 'kysely';
import type { Project } from '../../accounts/projects.js';
import { errors } from '../../errors.js';
import { PackageWriteRefusal } from '../write-refusal.js';
import type { PackageRow } from '../packages.js';

// The one check every delete and file change of a version passes (PackageWriter calls it once per
// such method): while a legal hold covers the version, nobody may delete it or change its bytes,
// administrators, cleanup policies and project deletion included.

export type LegalHoldRow = Selectable<PackageLegalHoldsTable>;
type HeldPackage = Pick<PackageRow, 'id' | 'project_id' | 'format' | 'normalized_name'>;

/** The most specific hold wins the description: the version's own, then its name's, then the project's. */
const PRECEDENCE: Record<LegalHoldRow['scope'], number> = { version: 0, name: 1, project: 2 };

function covers(hold: LegalHoldRow, pkg: HeldPackage): boolean {
  if (hold.project_id !== pkg.project_id) return false;
  if (hold.scope === 'project') return true;
  if (hold.scope === 'version') return hold.package_id === pkg.id;
  return hold.format === pkg.format && hold.normalized_name === pkg.normalized_name;
}

/** The hold covering each of these versions (by package id); one query however many versions. */
export async function holdsCovering(db: Db, pkgs: readonly HeldPackage[]): Promise<Map<number, LegalHoldRow>> {
  const covering = new Map<number, LegalHoldRow>();
  if (pkgs.length === 0) return covering;
  const holds = await db
    .selectFrom('package_legal_holds')
    .selectAll()
    .where('project_id', 'in', [...new Set(pkgs.map((p) => p.project_id))])
    .where((eb) =>
      eb.or([
        eb('scope', '=', 'project'),
        eb('package_id', 'in', pkgs.map((p) => p.id)),
        eb('normalized_name', 'in', [...new Set(pkgs.map((p) => p.normalized_name))]),
      ]),
    )
    .execute();
  holds.sort((a, b) => PRECEDENCE[a.scope] - PRECEDENCE[b.scope] || a.id - b.id);
  for (const pkg of pkgs) {
    const hold = holds.find((h) => covers(h, pkg));
    if (hold) covering.set(pkg.id, hold);
  }
  return covering;
}

const SCOPE_WORDS: Record<LegalHoldRow['scope'], string> = { version: 'the version', name: 'the package name', project: 'the project' };

/** "legal hold #4 on the package name (reference CASE-17)": enough to find it in the list of holds. */
export function describeHold(hold: LegalHoldRow): string {
  const reference = hold.reference ? ` (reference ${hold.reference})` : '';
  return `legal hold #${hold.id} on ${SCOPE_WORDS[hold.scope]}${reference}`;
}

/** Refuses (403) to delete or change a held version; the caller's route records publish_denied. */
export async function assertNotHeld(db: Db, pkg: PackageRow, action: 'deleted' | 'changed'): Promise<void> {
  const hold = (await holdsCovering(db, [pkg])).get(pkg.id);
  if (hold) throw errors.forbidden(`${pkg.name}@${pkg.version} is under ${describeHold(hold)} and cannot be ${action} until it is released`);
}

/**
 * Refuses (403) to delete a project (alone or with its group) while any hold is in force in it: a
 * name or project hold covers versions not yet published, and deleting the project would end it.
 */
export async function assertProjectNotHeld(db: Db, project: Project): Promise<void> {
  const hold = await db.selectFrom('package_legal_holds').selectAll().where('project_id', '=', project.id).orderBy('id').executeTakeFirst();
  if (!hold) return;
  const message = `Project ${project.full_path} is under ${describeHold(hold)}: release its legal holds before deleting it`;
  const pkg = hold.format !== null && hold.name !== null ? { format: hold.format, name: hold.name, version: null } : null;
  throw new PackageWriteRefusal('PROJECT_UNDER_LEGAL_HOLD', message, project, pkg);
}
