import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db/database.js';

// The secret that signs registry tokens. Every Trove process on one database must accept the tokens
// any of them issued (a client's realm request and its /v2/ requests may land on different
// processes), so the secret lives in the database: the first process to need it stores a random
// one, the others read that. Anyone who can read the database could forge tokens, but a forged
// token still acts only with the rights its credential has now (registry-auth.ts looks it up again).

const SETTING_KEY = 'container_registry_token_secret';

const cache = new WeakMap<Db, Promise<Buffer>>();

async function loadOrCreate(db: Db): Promise<Buffer> {
  // Two processes starting together may both try: the primary key keeps the first, both read it back.
  await db
    .insertInto('instance_settings')
    .values({ key: SETTING_KEY, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('instance_settings').select('value').where('key', '=', SETTING_KEY).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64url');
}

export function registryTokenKey(db: Db): Promise<Buffer> {
  let key = cache.get(db);
  if (key === undefined) {
    key = loadOrCreate(db);
    // A failed load (database briefly away) is retried by the next request.
    key.catch(() => cache.delete(db));
    cache.set(db, key);
  }
  return key;
}
