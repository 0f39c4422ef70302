// One backend: a browser driving the web UI; the API underneath is tested on both databases by the API tests.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { publishOk } from '../support/audit-e2e.js';
import { buildReportScenario, type ReportScenario } from '../support/audit-report-data.js';
import { waitUntilSealed } from '../support/audit-verify-data.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { pdfPages } from '../support/pdf-text.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { newUiPage, signInWithPassword } from '../support/web-ui-browser.js';
import { World } from '../support/world.js';

// The audit report page in Chromium (seeded log of audit-report-data.ts plus 40 more versions, so
// that the package changes run over several pages): opened from the group's audit log, its figures
// are the API's, and printed to PDF it is a clean document: no navigation or buttons, each section
// on a page of its own, the table header on every page of a long table. The PDF is read back page
// by page (test/support/pdf-text.ts: its content streams inflated, glyphs mapped to text through
// the fonts' ToUnicode maps), so the check is on the printed pages themselves.

const SECTIONS = ['Summary', 'Package changes', 'Denied attempts', 'Access changes', 'Settings changes', 'Log integrity'];
const NAVIGATION = ['Explore', 'My namespace', 'Access tokens', 'Your activity', 'Sign out', 'Signed in as', 'Show report', 'Print', 'Download HTML', 'Last 30 days', 'Audit events'];
const EXTRA_VERSIONS = 40;
const TABLE_HEADER = 'WhenEventWhoHowProjectWhatSeq';

const squeeze = (text: string) => text.normalize('NFKC').replace(/\s+/g, '');

describe('web UI audit report in Chromium', () => {
  let trove: RunningTrove;
  let s: ReportScenario;
  let browser: Browser;
  let page: Page;
  let api: any;

  before(async () => {
    trove = await startTrove({ env: { TROVE_AUDIT_SEAL_EVERY_MS: '300' } });
    const world = new World(trove);
    [s, browser] = await Promise.all([
      buildReportScenario(world).then(async (scenario) => {
        for (let i = 0; i < EXTRA_VERSIONS; i++) await publishOk(scenario.dev.api, scenario.webApp.id, '@acme/icons', `1.0.${i}`);
        return { ...scenario, to: new Date(Date.now() + 1).toISOString() };
      }),
      launchChromium(),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await waitUntilSealed(world.root);
    page = await newUiPage(browser);
    await page.goto(`${trove.baseUrl}/groups/acme/-/audit`);
    await signInWithPassword(page, 'olga', 'correct-horse-battery');
  });

  after(async () => {
    await browser?.close();
    await trove?.stop();
  });

  it('is linked from the audit log and opens on the last 30 days, today included', async () => {
    await page.getByRole('link', { name: 'Audit report' }).click();
    await page.waitForURL(/\/groups\/acme\/-\/audit\/report$/);
    await page.getByRole('heading', { name: 'Audit report: group acme and its subgroups' }).waitFor();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    assert.equal(await page.getByLabel('Up to (UTC, excluded)').inputValue(), tomorrow);
    await page.getByRole('heading', { name: 'Log integrity' }).waitFor();
    assert.equal(await page.title(), 'Audit report · acme · Trove');
  });

  it("shows the API's figures for the period", async () => {
    await page.goto(`${trove.baseUrl}/groups/acme/-/audit/report?from=${s.from}&to=${s.to}`);
    await page.getByRole('heading', { name: 'Log integrity' }).waitFor();
    api = await s.owner.api.expect(200, 'GET', `/api/v4/groups/${s.acme.id}/audit_reports?from=${s.from}&to=${s.to}`);
    assert.equal(api.package_changes.total, 14 + 2 * EXTRA_VERSIONS);
    const summary = page.locator('section', { has: page.getByRole('heading', { name: 'Summary' }) });
    assert.equal(await summary.locator('p strong').first().innerText(), String(api.summary.events));
    const byType = await page.getByRole('table', { name: 'By event type' }).locator('tbody tr').allInnerTexts();
    assert.deepEqual(byType.map((r) => r.split('\t')), api.summary.by_event_type.map((t: any) => [t.label, t.event_name, String(t.count)]));
    const byActor = await page.getByRole('table', { name: 'By actor' }).locator('tbody tr').allInnerTexts();
    assert.deepEqual(byActor.map((r) => [r.split('\t')[0], r.split('\t')[2]]), api.summary.by_actor.map((a: any) => [a.label, String(a.count)]));
    const changes = page.getByRole('table', { name: 'Package changes' }).locator('tbody tr');
    assert.equal(await changes.count(), api.package_changes.items.length);
    const cells = await changes.nth(2).locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(1, 5), ['Package published', 'deploy token "group-bot" of acme', 'package client (pnpm 9.15.4)', 'acme/web-app']);
    const denied = await page.getByRole('table', { name: 'Denied attempts' }).locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.deepEqual(denied, api.denied_attempts.items.map((e: any) => e.actor_label));
    await page.getByText(`All ${api.summary.events} events verified`).waitFor();
    assert.equal(api.integrity.status, 'verified');
  });

  it('prints to a clean, paginated PDF: every section on its own pages, headers repeated, no navigation', async () => {
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.top').isVisible(), false);
    assert.equal(await page.getByRole('button', { name: 'Print' }).isVisible(), false);
    await page.emulateMedia({ media: null }); // page.pdf() prints with the print style sheet
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(join(ARTIFACTS, `web-ui-report-${TEST_BACKEND}.pdf`), pdf);
    // Compared without white space: the PDF places words and glyph runs, not spaces.
    const pages = pdfPages(pdf).map(squeeze);
    assert.ok(pages.length > SECTIONS.length, `${pages.length} pages`);
    const all = pages.join('\n');
    for (const word of NAVIGATION) assert.ok(!all.includes(squeeze(word)), `"${word}" is printed`);
    // Each section starts a new page, in order, its title at the top.
    const starts = SECTIONS.map((title) => pages.findIndex((text) => text.startsWith(squeeze(title)) || (title === 'Summary' && text.includes('Summary'))));
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b), JSON.stringify(starts));
    assert.equal(new Set(starts).size, SECTIONS.length, JSON.stringify(starts));
    assert.ok(starts.every((i) => i >= 0), JSON.stringify(starts));
    assert.ok(pages[0].startsWith(squeeze('Audit report: group acme and its subgroups')), pages[0].slice(0, 100));
    // The package changes run over several pages, each with the table's header.
    const changePages = pages.slice(starts[1], starts[2]);
    assert.ok(changePages.length > 1, `${changePages.length} pages of package changes`);
    for (const text of changePages) assert.ok(text.includes(TABLE_HEADER), text.slice(0, 200));
    // Every change is printed: its target on some page of the section.
    const printed = changePages.join('');
    for (const e of api.package_changes.items) assert.ok(printed.includes(squeeze(e.target)), e.target);
    assert.ok(pages[starts[5]].includes(squeeze(`All ${api.summary.events} events verified`)));
  });
});
