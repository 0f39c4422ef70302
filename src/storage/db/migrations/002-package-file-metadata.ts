import type { Kysely } from 'kysely';

/** Per-file format metadata (PyPI: filetype, pyversion, requires_python), as JSON text. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('package_files').addColumn('metadata', 'text').execute();
}
