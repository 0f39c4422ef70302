import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventCount, latestEvent } from '../support/audit.js';
import { fastBlobGc } from '../support/background-jobs.js';
import { publishOneOfEachFormat } from '../support/format-samples.js';
import { assertOnlyFileBlobsStored, storedBlobs } from '../support/stored-blobs.js';
import { startTrove, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// What the API says about the formats, from each format's declaration (src/formats/<name>/<name>-format.ts):
// the list the web UI builds its filters from, the install and publish steps it shows, and the
// format settings served with the package settings (generic_duplicates_allowed, whose replace is
// one audited write that leaves the old bytes to the blob collector, and
// generic_duplicate_exception_regex, the pattern that reverses it for matching names or versions).

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('package formats through the API', () => {
  let trove: RunningTrove;
  let world: World;
  let dana: TestUser;
  let group: { id: number; full_path: string };
  let project: { id: number; path_with_namespace: string };
  const packagesUrl = () => `${trove.baseUrl}/api/v4/projects/${project.id}/packages`;
  const genericUrl = (file: string, version = '1.0.0') => `${packagesUrl()}/generic/tool/${version}/${file}`;
  const putGeneric = (file: string, bytes: Buffer, version?: string) =>
    fetch(genericUrl(file, version), { method: 'PUT', body: new Uint8Array(bytes), headers: { 'PRIVATE-TOKEN': dana.token } });
  const settingsOf = (groupId: number) => world.root.expect(200, 'GET', `/api/v4/groups/${groupId}/packages/settings`);
  const changeSettings = (groupId: number, body: Record<string, unknown>) => world.root.expect(200, 'PUT', `/api/v4/groups/${groupId}/packages/settings`, body);
  const REGEX = 'generic_duplicate_exception_regex';
  const regexOf = (settings: Record<string, unknown>) => [settings[REGEX], settings[`${REGEX}_effective`], settings[`${REGEX}_source`]];
  const packageOf = async (type: string) => (await world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages?package_type=${type}`))[0];
  const instructionsOf = async (type: string) => world.root.expect(200, 'GET', `/api/v4/projects/${project.id}/packages/${(await packageOf(type)).id}/instructions`);

  before(async () => {
    trove = await startTrove({ env: fastBlobGc() });
    world = new World(trove);
    group = await world.group('acme');
    project = await world.project('web-app', group.id);
    dana = await world.user('dana', ['api'], 'dana-laptop');
    await world.addMember('groups', group.id, dana, 30);
    await publishOneOfEachFormat(trove.baseUrl, project.id, dana.token, world.root);
  });

  after(async () => {
    await trove?.stop();
  });

  it('lists the formats Trove serves with their display names and declared settings', async () => {
    const res = await fetch(`${trove.baseUrl}/api/v4/package_formats`);
    assert.equal(res.status, 200);
    const formats = await res.json();
    assert.deepEqual(
      formats.map((f: any) => [f.name, f.display_name, f.settings.map((s: any) => [s.key, s.kind, s.default])]),
      [
        ['npm', 'npm', []],
        ['pypi', 'PyPI', []],
        [
          'maven',
          'Maven',
          [
            ['maven_duplicates_allowed', 'boolean', false],
            ['maven_duplicate_exception_regex', 'regex', ''],
          ],
        ],
        ['go', 'Go', []],
        ['composer', 'Composer', []],
        ['rubygems', 'RubyGems', []],
        ['cargo', 'Cargo', []],
        ['debian', 'Debian', []],
        [
          'generic',
          'Generic',
          [
            ['generic_duplicates_allowed', 'boolean', false],
            ['generic_duplicate_exception_regex', 'regex', ''],
          ],
        ],
      ],
    );
    const generic = formats.find((f: any) => f.name === 'generic');
    assert.match(generic.settings[0].description, /replaces that file/);
    assert.match(generic.settings[1].description, /opposite of generic_duplicates_allowed/);
  });

  it('serves each format’s install steps for a version, with the instance’s URL and the project id', async () => {
    const registry = `${packagesUrl()}/npm/`;
    assert.deepEqual(await instructionsOf('npm'), {
      package_type: 'npm',
      display_name: 'npm',
      install: [
        { title: '.npmrc', command: `@acme:registry=${registry}\n${registry.replace('http:', '')}:_authToken=<TOKEN>` },
        { title: 'Install', command: 'npm install @acme/ui-kit@1.4.0' },
      ],
    });
    assert.deepEqual(await instructionsOf('pypi'), {
      package_type: 'pypi',
      display_name: 'PyPI',
      install: [{ title: 'Install', command: `pip install --index-url ${packagesUrl().replace('://', '://__token__:<TOKEN>@')}/pypi/simple/ Acme.Tools==2.0.0` }],
    });
    const curlLine = (file: string) => `curl --fail --header "PRIVATE-TOKEN: <TOKEN>" --output ${file} "${genericUrl(file)}"`;
    assert.deepEqual(await instructionsOf('generic'), {
      package_type: 'generic',
      display_name: 'Generic',
      install: ['tool-linux', 'tool-darwin'].map((file) => ({ title: file, command: curlLine(file) })),
    });
    const maven = await instructionsOf('maven');
    assert.equal(maven.display_name, 'Maven');
    assert.deepEqual(maven.install.slice(0, 3), [
      { title: 'Maven coordinates', command: 'com.acme:billing:3.1.0' },
      { title: 'pom.xml: the dependency', command: '<dependency>\n  <groupId>com.acme</groupId>\n  <artifactId>billing</artifactId>\n  <version>3.1.0</version>\n</dependency>' },
      { title: 'pom.xml: the repository', command: `<repositories>\n  <repository>\n    <id>trove</id>\n    <url>${packagesUrl()}/maven</url>\n  </repository>\n</repositories>` },
    ]);
    assert.match(maven.install[3].command, /<id>trove<\/id>[\s\S]*<name>Private-Token<\/name><value><TOKEN><\/value>/);
    assert.deepEqual(await instructionsOf('composer'), {
      package_type: 'composer',
      display_name: 'Composer',
      install: [
        {
          title: 'composer.json: the repository',
          command: `"repositories": [\n  { "type": "composer", "url": "${packagesUrl()}/composer/packages.json" }\n]`,
        },
        { title: 'Allow the repository over plain http', command: 'composer config secure-http false' },
        { title: 'auth.json: the token', command: `composer config http-basic.${new URL(trove.baseUrl).host} __token__ <TOKEN>` },
        { title: 'Install', command: 'composer require acme/http-client:0.9.0' },
      ],
    });
    assert.deepEqual(await instructionsOf('go'), {
      package_type: 'go',
      display_name: 'Go',
      install: [
        { title: 'Credentials for go (~/.netrc; go sends them only over HTTPS)', command: "printf 'machine 127.0.0.1 login <USERNAME> password <TOKEN>\\n' >> ~/.netrc" },
        { title: 'go get', command: `GOPROXY=${packagesUrl()}/go,https://proxy.golang.org,direct GONOSUMDB=example.com/acme/Billing go get example.com/acme/Billing@v1.2.0` },
      ],
    });
    const source = `${packagesUrl().replace('://', '://token:<TOKEN>@')}/rubygems/`;
    assert.deepEqual(await instructionsOf('rubygems'), {
      package_type: 'rubygems',
      display_name: 'RubyGems',
      install: [
        { title: 'gem install', command: `gem install acme-cli --version 0.3.0 --clear-sources --source ${source}` },
        { title: 'Gemfile', command: `source "${source}" do\n  gem "acme-cli", "0.3.0"\nend` },
      ],
    });
    const cargoRegistry = `# ~/.cargo/config.toml\n[registries.trove]\nindex = "sparse+${packagesUrl()}/cargo/index/"\n[registry]\nglobal-credential-providers = ["cargo:token"]`;
    assert.deepEqual(await instructionsOf('cargo'), {
      package_type: 'cargo',
      display_name: 'Cargo',
      install: [
        { title: 'Cargo registry', command: cargoRegistry },
        { title: 'Cargo.toml', command: '[dependencies]\nacme-sdk = { version = "0.4.0", registry = "trove" }' },
        { title: 'cargo build', command: 'CARGO_REGISTRIES_TROVE_TOKEN=<TOKEN> cargo build' },
      ],
    });
    const debian = await instructionsOf('debian');
    const host = packagesUrl().replace('https://', '');
    assert.deepEqual(debian, {
      package_type: 'debian',
      display_name: 'Debian',
      install: [
        {
          title: 'Signing key of the distribution',
          command: `sudo curl --fail --header "PRIVATE-TOKEN: <TOKEN>" --output /etc/apt/keyrings/trove-${project.id}.asc "${trove.baseUrl}/api/v4/projects/${project.id}/debian_distributions/<codename>/key.asc"`,
        },
        {
          title: 'apt credentials',
          command: `printf 'machine ${host}/debian login trove password <TOKEN>\\n' | sudo tee /etc/apt/auth.conf.d/trove-${project.id}.conf && sudo chmod 600 /etc/apt/auth.conf.d/trove-${project.id}.conf`,
        },
        { title: 'apt source', command: `echo "deb [signed-by=/etc/apt/keyrings/trove-${project.id}.asc] ${packagesUrl()}/debian <codename> main" | sudo tee /etc/apt/sources.list.d/trove-${project.id}.list` },
        { title: 'apt-get', command: 'sudo apt-get update && sudo apt-get install acme-cli=1.2.0-1' },
      ],
    });
  });

  it('serves the publish steps of every format for a project, and neither list to who may not read it', async () => {
    const formats = await dana.api.expect(200, 'GET', `/api/v4/projects/${project.id}/package_formats`);
    assert.deepEqual(formats.map((f: { name: string }) => f.name), ['npm', 'pypi', 'maven', 'go', 'composer', 'rubygems', 'cargo', 'debian', 'generic']);
    const [npm, pypi, maven, go, composer, rubygems, cargo, debian, generic] = formats.map((f: { publish: Array<{ command: string }> }) => f.publish.map((step) => step.command).join('\n'));
    assert.ok(npm.startsWith(`registry=${packagesUrl()}/npm/\n`), npm);
    assert.match(pypi, new RegExp(`twine upload --repository-url ${packagesUrl()}/pypi dist/\\*$`));
    assert.match(maven, new RegExp(`<distributionManagement>[\\s\\S]*<url>${packagesUrl()}/maven</url>[\\s\\S]*mvn deploy$`));
    assert.match(composer, new RegExp(`--form package=@my-lib\\.zip --form version=1\\.0\\.0 "${packagesUrl()}/composer"$`));
    assert.match(go, new RegExp(`--upload-file "\\$VERSION\\.\\$f" "${packagesUrl()}/go/\\$ESCAPED/@v/\\$VERSION\\.\\$f"; done$`));
    assert.equal(rubygems, `GEM_HOST_API_KEY=<TOKEN> gem push my_gem-1.0.0.gem --host ${packagesUrl()}/rubygems`);
    assert.match(cargo, new RegExp(`index = "sparse\\+${packagesUrl()}/cargo/index/"[\\s\\S]*\nCARGO_REGISTRIES_TROVE_TOKEN=<TOKEN> cargo publish --registry trove$`));
    assert.match(generic, /--upload-file my-tool\.tar\.gz ".*\/generic\/my-tool\/1\.0\.0\/my-tool\.tar\.gz"$/);
    assert.match(debian, new RegExp(`--data "codename=stable&architectures=amd64" ".*/projects/${project.id}/debian_distributions"\n.*--upload-file my-tool_1\\.0\\.0_amd64\\.deb ".*/debian/my-tool_1\\.0\\.0_amd64\\.deb\\?distribution=stable&component=main"\n.*incoming = /api/v4/projects/${project.id}/packages/debian\\\\n.*\\| setsid dput trove my-tool_1\\.0\\.0_amd64\\.changes$`));
    const outsider = await world.user('olga', ['api']);
    const pkg = await packageOf('npm');
    for (const path of [`/api/v4/projects/${project.id}/package_formats`, `/api/v4/projects/${project.id}/packages/${pkg.id}/instructions`]) {
      assert.equal((await outsider.api.get(path)).status, 404, path);
    }
    const other = await world.project('other', group.id);
    assert.equal((await dana.api.get(`/api/v4/projects/${other.id}/packages/${pkg.id}/instructions`)).status, 404, 'a package id of another project');
  });

  it('serves generic_duplicates_allowed with the package settings, inherited by subgroups, its changes audited', async () => {
    const initial = await world.root.expect(200, 'GET', `/api/v4/groups/${group.id}/packages/settings`);
    assert.deepEqual([initial.generic_duplicates_allowed, initial.generic_duplicates_allowed_effective, initial.generic_duplicates_allowed_source], [null, false, 'default']);
    assert.equal((await world.root.put(`/api/v4/groups/${group.id}/packages/settings`, { generic_duplicates_allowed: 'maybe' })).status, 400);
    const set = await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { generic_duplicates_allowed: true });
    assert.deepEqual([set.generic_duplicates_allowed, set.generic_duplicates_allowed_effective, set.generic_duplicates_allowed_source], [true, true, 'acme']);
    const event = await latestEvent(world.root, `/api/v4/groups/${group.id}/audit_events`, 'package_registry_format_settings_updated');
    assert.deepEqual(event.changes, { generic_duplicates_allowed: { from: null, to: true } });
    const sub = await world.group('team', group.id);
    const inherited = await world.root.expect(200, 'GET', `/api/v4/groups/${sub.id}/packages/settings`);
    assert.deepEqual([inherited.generic_duplicates_allowed, inherited.generic_duplicates_allowed_effective, inherited.generic_duplicates_allowed_source], [null, true, 'acme']);
  });

  it('replaces a generic file where duplicates are allowed: one audited write, the old bytes collected', async () => {
    const pkg = await packageOf('generic');
    const filesPath = `/api/v4/projects/${project.id}/packages/${pkg.id}/package_files`;
    const [before] = (await world.root.expect(200, 'GET', filesPath)).filter((f: { file_name: string }) => f.file_name === 'tool-linux');
    const bytes = randomBytes(80);
    const res = await putGeneric('tool-linux', bytes);
    assert.equal(res.status, 201, await res.text());

    const files = await world.root.expect(200, 'GET', filesPath);
    assert.deepEqual(files.map((f: { file_name: string }) => f.file_name), ['tool-linux', 'tool-darwin'], 'replaced in place, no second file of that name');
    const after = files[0];
    assert.deepEqual([after.id, after.file_sha256, after.size], [before.id, sha256(bytes), bytes.length]);
    const event = await latestEvent(world.root, `/api/v4/projects/${project.id}/audit_events`, 'package_registry_package_file_replaced');
    assert.deepEqual(event.changes, { sha256: { from: before.file_sha256, to: sha256(bytes) }, size: { from: before.size, to: bytes.length } });
    assert.deepEqual(event.package.files, [{ file_name: 'tool-linux', size: bytes.length, sha256: sha256(bytes) }]);
    assert.equal(event.actor.token_name, 'dana-laptop');
    const download = await fetch(genericUrl('tool-linux'), { headers: { 'PRIVATE-TOKEN': dana.token } });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(bytes), 'the new bytes are served');

    await assertOnlyFileBlobsStored(trove, world.root, [project.id]);
    const stored = await storedBlobs(trove);
    assert.ok(!stored.includes(before.file_sha256), 'the replaced bytes are collected');
    assert.ok(stored.includes(sha256(bytes)), 'the new bytes are kept');
  });

  it('refuses a duplicate again once the setting is back to inherit (default: no)', async () => {
    await world.root.expect(200, 'PUT', `/api/v4/groups/${group.id}/packages/settings`, { generic_duplicates_allowed: null });
    const res = await putGeneric('tool-linux', randomBytes(8));
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { message: 'Duplicate package file is not allowed' });
  });

  it('sets generic_duplicate_exception_regex as a string, inherited below and overridden with "", its changes audited from/to', async () => {
    assert.deepEqual(regexOf(await settingsOf(group.id)), [null, '', 'default']);
    const pattern = '^1\\.0\\.';
    assert.deepEqual(regexOf(await changeSettings(group.id, { [REGEX]: pattern })), [pattern, pattern, 'acme']);
    const eventsPath = `/api/v4/groups/${group.id}/audit_events`;
    const event = await latestEvent(world.root, eventsPath, 'package_registry_format_settings_updated');
    assert.deepEqual(event.changes, { [REGEX]: { from: null, to: pattern } });
    assert.equal(event.details.custom_message, `Package format settings changed: ${REGEX} inherit -> "^1\\\\.0\\\\."`);

    const sub = await world.group('qa', group.id);
    assert.deepEqual(regexOf(await settingsOf(sub.id)), [null, pattern, 'acme']);
    assert.deepEqual(regexOf(await changeSettings(sub.id, { [REGEX]: '' })), ['', '', 'acme/qa'], '"" is a value: no exception here');
    assert.deepEqual(regexOf(await changeSettings(sub.id, { [REGEX]: null })), [null, pattern, 'acme']);
    const subEvent = await latestEvent(world.root, `/api/v4/groups/${sub.id}/audit_events`, 'package_registry_format_settings_updated');
    assert.deepEqual(subEvent.changes, { [REGEX]: { from: '', to: null } });
  });

  it('refuses a pattern JavaScript cannot compile or longer than 255 characters with a 400 that says so, and changes nothing', async () => {
    const before = await settingsOf(group.id);
    const eventsPath = `/api/v4/groups/${group.id}/audit_events`;
    const events = await eventCount(world.root, eventsPath);
    const refusals: Array<[unknown, RegExp]> = [
      ['(unclosed', /^generic_duplicate_exception_regex is not a valid regular expression: .*unterminated group/i],
      ['a'.repeat(256), /^generic_duplicate_exception_regex is too long \(at most 255 characters\)$/],
      [true, /generic_duplicate_exception_regex is invalid/],
    ];
    for (const [value, message] of refusals) {
      const res = await world.root.put(`/api/v4/groups/${group.id}/packages/settings`, { generic_duplicates_allowed: true, [REGEX]: value });
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.message ?? res.body.error, message);
    }
    assert.deepEqual(await settingsOf(group.id), before, 'neither setting of the refused requests was stored');
    assert.equal(await eventCount(world.root, eventsPath), events, 'nothing audited');
    assert.deepEqual(regexOf(await changeSettings(group.id, { [REGEX]: 'a'.repeat(255) })), ['a'.repeat(255), 'a'.repeat(255), 'acme'], '255 characters are accepted');
    await changeSettings(group.id, { [REGEX]: before[REGEX] });
  });

  it('allows a duplicate generic upload whose version the exception regex matches while duplicates are off, and the reverse when on', async () => {
    assert.deepEqual(regexOf(await settingsOf(group.id)), ['^1\\.0\\.', '^1\\.0\\.', 'acme']);
    assert.equal((await putGeneric('tool-linux', randomBytes(16), '2.0.0')).status, 201, 'a first file of 2.0.0');
    const replacedEvents = () => eventCount(world.root, `/api/v4/projects/${project.id}/audit_events`, '&event_name=package_registry_package_file_replaced');
    const replacedBefore = await replacedEvents();

    const matching = randomBytes(24);
    const allowed = await putGeneric('tool-linux', matching);
    assert.equal(allowed.status, 201, await allowed.text());
    assert.equal(await replacedEvents(), replacedBefore + 1);
    const event = await latestEvent(world.root, `/api/v4/projects/${project.id}/audit_events`, 'package_registry_package_file_replaced');
    assert.deepEqual([event.package.version, event.changes.sha256.to], ['1.0.0', sha256(matching)]);
    const refused = await putGeneric('tool-linux', randomBytes(24), '2.0.0');
    assert.equal(refused.status, 403, '2.0.0 does not match: duplicates stay refused');
    assert.deepEqual(await refused.json(), { message: 'Duplicate package file is not allowed' });

    await changeSettings(group.id, { generic_duplicates_allowed: true });
    assert.equal((await putGeneric('tool-linux', randomBytes(24))).status, 403, 'duplicates on: the matching 1.0.0 is the exception now');
    assert.equal((await putGeneric('tool-linux', randomBytes(24), '2.0.0')).status, 201);
    assert.equal(await replacedEvents(), replacedBefore + 2);
    await changeSettings(group.id, { generic_duplicates_allowed: null, [REGEX]: null });
  });
});
