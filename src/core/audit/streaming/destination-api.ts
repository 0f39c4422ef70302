import type { StreamingDestination } from '../../../contracts/audit-streaming.js';
import type { Db } from '../../../storage/db/database.js';
import { deliveryStatus } from './delivery-status.js';
import type { DestinationRow } from './destination-store.js';

const MASKED = '[MASKED]';

/** A destination as the API shows it, with where its deliveries stand: never its secret. */
export async function destinationToApi(db: Db, row: DestinationRow): Promise<StreamingDestination> {
  const headers = JSON.parse(row.headers) as Record<string, string>;
  return {
    id: row.id,
    name: row.name,
    destination_url: row.url,
    group_id: row.namespace_id,
    event_names: JSON.parse(row.event_names) as string[],
    // Header values are often SIEM credentials: named, never shown.
    headers: Object.fromEntries(Object.keys(headers).map((key) => [key, MASKED] as const)),
    active: row.active === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
    status: await deliveryStatus(db, row),
  };
}
