import type { AuditReport, AuditReportList } from '../../../contracts/audit-reports.js';
import type { AuditRecord } from '../audit-types.js';
import { auditEventLabel, auditEventSpec } from '../event-catalog.js';
import { actorTallyLabel, reportEntry, sectionOf, type ReportSection } from './report-entry.js';

// The figures of a report, added up one event at a time as the events stream past (oldest first),
// so that memory holds the counts and the capped lists, never the period's events.

type Counts = Map<string, number>;

const bump = (counts: Counts, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Most counted first, then by key, so that a report reads the same every time. */
function sorted(counts: Counts): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const SEPARATOR = '\u0000';

export class ReportTally {
  private events = 0;
  private readonly byEventType: Counts = new Map();
  private readonly byProject: Counts = new Map();
  private readonly byActorKind: Counts = new Map();
  private readonly byActor: Counts = new Map();
  private readonly byVia: Counts = new Map();
  private readonly lists: Record<ReportSection, AuditReportList> = {
    package_changes: { total: 0, items: [] },
    denied_attempts: { total: 0, items: [] },
    access_changes: { total: 0, items: [] },
    settings_changes: { total: 0, items: [] },
  };

  constructor(private readonly listCap: number) {}

  add(record: AuditRecord): void {
    this.events++;
    bump(this.byEventType, record.event_name);
    // JSON keys: a project path can hold any character but never be the empty key of "no project".
    bump(this.byProject, record.project?.full_path ?? '');
    bump(this.byActorKind, record.actor.type);
    bump(this.byActor, `${record.actor.type}${SEPARATOR}${actorTallyLabel(record)}`);
    bump(this.byVia, record.via);
    const section = sectionOf(record);
    if (!section) return;
    const list = this.lists[section];
    list.total++;
    if (list.items.length < this.listCap) list.items.push(reportEntry(record));
  }

  get eventCount(): number {
    return this.events;
  }

  summary(): AuditReport['summary'] {
    return {
      events: this.events,
      by_event_type: sorted(this.byEventType).map(([name, count]) => ({
        event_name: name,
        label: auditEventLabel(name),
        category: auditEventSpec(name)?.category ?? 'other',
        count,
      })),
      by_project: sorted(this.byProject).map(([project, count]) => ({ project: project === '' ? null : project, count })),
      by_actor_kind: sorted(this.byActorKind).map(([kind, count]) => ({ kind, count })),
      by_actor: sorted(this.byActor).map(([key, count]) => {
        const [kind, label] = key.split(SEPARATOR);
        return { kind, label, count };
      }),
      by_via: sorted(this.byVia).map(([via, count]) => ({ via, count })),
    };
  }

  listsOf(): Record<ReportSection, AuditReportList> {
    return this.lists;
  }
}
