// Audit reports (docs/api.md#audit-reports): a scope's changes over a period, with the log's integrity.
export { buildAuditReport, LIST_CAP, type AuditReportRequest } from './audit-report.js';
export { parseReportPeriod, type ReportPeriod } from './report-period.js';
export { reportTrust, type ReportTrust } from './report-trust.js';
export { renderAuditReportHtml } from './report-html.js';
