import { useState, type FormEvent } from 'react';
import { apiPath } from '../api';
import { Link, navigate, routes, useLocation } from '../router';
import type { AuditReport } from '../types';
import { Loaded } from '../ui/states';
import { useApi } from '../ui/use-api';
import { apiBaseOf, type AuditScope } from './AuditPage';
import { AuditReportView } from './AuditReportView';
import { last30Days, lastFullQuarter, periodFromUrl, type DayPeriod } from './report-period';
import './report.css';

// The audit report of the instance, a group (with its subgroups unless unticked) or a project for
// a period, designed to be printed: the browser's print (or "Save as PDF") leaves out the header,
// the form and the buttons, starts each section on a new page and repeats table headers.

type ReportScope = Exclude<AuditScope, { kind: 'user' }>;

function auditLogOf(scope: ReportScope): string {
  return scope.kind === 'instance' ? routes.instanceAudit() : routes.audit(scope.kind, scope.fullPath);
}

function PeriodForm({ period, subgroups, withSubgroups, onApply }: { period: DayPeriod; subgroups: boolean; withSubgroups: boolean; onApply: (p: DayPeriod, subgroups: boolean) => void }) {
  // A shared link may name exact times (the heading states them): the date inputs show their day.
  const [from, setFrom] = useState(period.from.slice(0, 10));
  const [to, setTo] = useState(period.to.slice(0, 10));
  const [sub, setSub] = useState(subgroups);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ from, to }, sub);
  };
  return (
    <form className="filters no-print" aria-label="Report period" onSubmit={submit} key={`${period.from}/${period.to}`}>
      <label>
        From (UTC)
        <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        Up to (UTC, excluded)
        <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      {withSubgroups && (
        <label className="checkbox">
          <input type="checkbox" checked={sub} onChange={(e) => setSub(e.target.checked)} /> Include subgroups
        </label>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Show report
        </button>
        <button type="button" onClick={() => onApply(last30Days(), sub)}>
          Last 30 days
        </button>
        <button type="button" onClick={() => onApply(lastFullQuarter(), sub)}>
          Last full quarter
        </button>
      </div>
    </form>
  );
}

export function AuditReportPage({ scope }: { scope: ReportScope }) {
  const { path, query } = useLocation();
  const period = periodFromUrl(query);
  const withSubgroups = scope.kind === 'groups';
  const subgroups = withSubgroups && query.get('include_subgroups') !== 'false';
  const params = { from: period.from, to: period.to, include_subgroups: withSubgroups ? String(subgroups) : undefined };
  const reportPath = apiPath(`${apiBaseOf(scope)}/audit_reports`, params);
  const [report, reload] = useApi<AuditReport>(reportPath);
  const apply = (next: DayPeriod, sub: boolean) => {
    const search = new URLSearchParams({ from: next.from, to: next.to, ...(withSubgroups && !sub ? { include_subgroups: 'false' } : {}) });
    navigate(`${path}?${search}`);
  };
  const title = scope.kind === 'instance' ? 'the instance' : `${scope.kind === 'groups' ? 'group' : 'project'} ${scope.fullPath}${subgroups ? ' and its subgroups' : ''}`;

  return (
    <section className="audit-report-page">
      <p className="kicker no-print">
        <Link to={auditLogOf(scope)}>← Audit events</Link>
      </p>
      <h1>Audit report: {title}</h1>
      <p className="period">
        From {period.from} up to {period.to} (excluded), UTC.
      </p>
      <PeriodForm period={period} subgroups={subgroups} withSubgroups={withSubgroups} onApply={apply} />
      <div className="export no-print" role="group" aria-label="Print or download">
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
        {/* A plain link: the server sends the standalone document as a download. */}
        <a className="button" href={apiPath(`${apiBaseOf(scope)}/audit_reports`, { ...params, format: 'html' })} download>
          Download HTML
        </a>
      </div>
      <Loaded loadable={report} retry={reload} what="Building the report">
        {(data) => <AuditReportView report={data} />}
      </Loaded>
    </section>
  );
}
