// Writes docs/audit-events.md from the audit event catalog (src/core/audit/event-catalog.ts).
//   npm run docs:events
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAuditEventsDoc } from '../src/core/audit/event-catalog-doc.js';

const target = path.resolve(import.meta.dirname, '../docs/audit-events.md');
writeFileSync(target, renderAuditEventsDoc());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
