import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latestEvent } from '../support/audit.js';
import { OciWorkspace } from '../support/oci-images.js';
import { startTrove, tempDir, type RunningTrove } from '../support/trove-process.js';
import { World, type TestUser } from '../support/world.js';

// The OCI distribution API at /v2/ with real clients: images built offline with umoci, pushed,
// inspected, listed, pulled back and deleted with skopeo over HTTP Basic (user:token), and the
// audit trail each of those writes leaves in the group's log.

const DEVELOPER = 30;

describe('container registry: skopeo against /v2/', () => {
  let trove: RunningTrove;
  let world: World;
  let oci: OciWorkspace;
  let dev: TestUser;
  let registry: string;
  let groupEvents: string;

  before(async () => {
    trove = await startTrove();
    world = new World(trove);
    oci = new OciWorkspace(tempDir('trove-oci-'));
    const group = await world.group('acme');
    const project = await world.project('web-app', group.id);
    dev = await world.user('dev', ['read_registry', 'write_registry']);
    await world.addMember('projects', project.id, dev, DEVELOPER);
    registry = `docker://${new URL(trove.baseUrl).host}`;
    groupEvents = `/api/v4/groups/${group.id}/audit_events`;
  });

  after(async () => {
    await trove?.stop();
  });

  it('pushes an image, inspects it, lists its tag and pulls back the same layers', async () => {
    const image = await oci.image('one', { 'hello.txt': 'hello\n', 'world.txt': 'world\n' });
    const creds = `dev:${dev.token}`;
    const pushed = await oci.copy(image, `${registry}/acme/web-app/api:1.0`, creds);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.digest ?? '', /^sha256:[a-f0-9]{64}$/);

    const inspected = await oci.skopeo(['inspect', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/api:1.0`]);
    assert.equal(inspected.code, 0, inspected.stderr);
    const info = JSON.parse(inspected.stdout) as { Digest: string; Layers: string[] };
    assert.equal(info.Digest, pushed.digest);
    assert.deepEqual(info.Layers, oci.layerDigests(image));

    const tags = await oci.skopeo(['list-tags', '--tls-verify=false', '--creds', creds, `${registry}/acme/web-app/api`]);
    assert.equal(tags.code, 0, tags.stderr);
    assert.deepEqual(JSON.parse(tags.stdout).Tags, ['1.0']);

    const back = `oci:${oci.dir}/back:1.0`;
    const pulled = await oci.copy(`${registry}/acme/web-app/api:1.0`, back, creds);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(oci.layerDigests(back), oci.layerDigests(image));

    const pushedEvent = await latestEvent(world.root, groupEvents, 'container_registry_manifest_pushed');
    assert.equal(pushedEvent.package.name, 'acme/web-app/api');
    assert.equal(pushedEvent.package.files[0].file_name, pushed.digest);
    assert.equal(pushedEvent.actor.token_name, 'dev-token');
    assert.equal(pushedEvent.client.name, 'skopeo');
    assert.equal(pushedEvent.via, 'package_client');
    const created = await latestEvent(world.root, groupEvents, 'container_registry_tag_created');
    assert.deepEqual(created.changes.digest, { from: null, to: pushed.digest });
    await latestEvent(world.root, groupEvents, 'container_registry_repository_created');
  });
});
