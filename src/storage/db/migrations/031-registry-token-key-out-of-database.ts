import type { Kysely } from 'kysely';

/**
 * The container registry's token signing secret moved from instance_settings to a key file outside
 * the database (TROVE_REGISTRY_TOKEN_KEY_FILE): the copy left here would let a reader of the
 * database mint registry tokens, so it goes. Tokens signed with it (minutes long) stop verifying;
 * clients fetch a new one from /jwt/auth on their next 401.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('instance_settings').where('key', '=', 'container_registry_token_secret').execute();
}
