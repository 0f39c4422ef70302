import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditReport, AuditReportEntry } from '../../../contracts/audit-reports.js';
import { renderAuditReportHtml } from './report-html.js';

// The printable report is a document of its own (report.html of the evidence pack): whatever the
// recorded values hold (a token named like markup, a reason with quotes), they are text in it,
// never markup or script; every section is there, also when its list is empty or capped.

const HOSTILE = `<script>alert("x")</script><img src=x onerror='y'>&`;

function entry(overrides: Partial<AuditReportEntry>): AuditReportEntry {
  return {
    id: 7,
    seq: 7,
    created_at: '2026-07-01T10:00:00.000Z',
    event_name: 'package_registry_package_published',
    label: 'Package published',
    outcome: 'success',
    reason: null,
    actor: { type: 'deploy_token', user_id: null, username: 'bot', token_id: 1, token_name: HOSTILE, token_owner_path: 'acme' },
    actor_label: `deploy token "${HOSTILE}" of acme`,
    via: 'package_client',
    client: { name: HOSTILE, version: '1' },
    pipeline: null,
    project: 'acme/web-app',
    target: HOSTILE,
    package: { format: 'npm', name: HOSTILE, version: '1.0.0' },
    changes: { [HOSTILE]: { from: HOSTILE, to: { nested: HOSTILE } } },
    message: HOSTILE,
    ...overrides,
  };
}

function report(): AuditReport {
  const empty = { total: 0, items: [] };
  return {
    scope: { kind: 'group', id: 1, label: HOSTILE, include_subgroups: true },
    period: { from: '2026-07-01T00:00:00.000Z', to: '2026-10-01T00:00:00.000Z' },
    generated_at: '2026-10-02T08:00:00.000Z',
    generated_by: HOSTILE,
    visibility: 'all',
    list_cap: 1,
    summary: {
      events: 3,
      by_event_type: [{ event_name: 'package_registry_package_published', label: 'Package published', category: 'package', count: 3 }],
      by_project: [{ project: HOSTILE, count: 3 }],
      by_actor_kind: [{ kind: 'deploy_token', count: 3 }],
      by_actor: [{ kind: 'deploy_token', label: HOSTILE, count: 3 }],
      by_via: [{ via: 'package_client', count: 3 }],
    },
    package_changes: { total: 3, items: [entry({})] },
    denied_attempts: { total: 1, items: [entry({ outcome: 'failure', reason: HOSTILE, event_name: 'package_registry_package_publish_denied' })] },
    access_changes: empty,
    settings_changes: empty,
    integrity: {
      status: 'failed',
      statement: `Verification FAILED: ${HOSTILE}`,
      reason: HOSTILE,
      first_seq: 7,
      last_seq: 9,
      verified_events: 0,
      unsealed_events: 0,
      checked_against: null,
      sealing_checkpoint: null,
      checkpoints: [{ tree_size: 9, created_at: '2026-07-01T10:00:01.000Z', root_hash: 'ab'.repeat(32), key_name: HOSTILE, verified_keys: [] }],
      checkpoints_total: 1,
      trusted_keys: 'published',
      signing_keys: [],
    },
  };
}

describe('renderAuditReportHtml', () => {
  const html = renderAuditReportHtml(report());

  it('escapes every recorded value: no markup, script or attribute comes from the data', () => {
    assert.doesNotMatch(html, /<script|<img/i);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;'));
    // Only the elements the renderer writes, with no attribute but class, charset, name, content and lang.
    const allowed = ['body', 'br', 'h1', 'h2', 'h3', 'head', 'html', 'meta', 'p', 'section', 'style', 'table', 'tbody', 'td', 'th', 'thead', 'title', 'tr'];
    for (const [, tag, attributes] of html.matchAll(/<([a-z0-9]+)([^>]*)>/gi)) {
      assert.ok(allowed.includes(tag), tag);
      for (const [, attribute] of attributes.matchAll(/\s([a-z-]+)="/gi)) assert.ok(['class', 'charset', 'name', 'content', 'lang'].includes(attribute), attribute);
    }
  });

  it('has every section, says when a list is capped or empty, and prints each section on its own page', () => {
    for (const title of ['Summary', 'Package changes', 'Denied attempts', 'Access changes', 'Settings changes', 'Log integrity']) assert.ok(html.includes(`<h2>${title}</h2>`), title);
    assert.ok(html.includes('Showing the first 1 of 3; 2 more, see the JSONL export of this period.'));
    assert.ok(html.includes('No member, token or account changed.'));
    assert.match(html, /@media print \{[^]*section \{ break-before: page; \}[^]*thead \{ display: table-header-group; \}/);
    assert.ok(html.includes('class="status-failed"'));
    assert.ok(html.includes('(signature not verified)'));
  });
});
