import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import yazl from 'yazl';
import { assertEntryName, readPackageZip } from './composer-zip.js';

/** A zip of these entries (name → text), built with yazl as a client's archiver would. */
function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

const manifest = JSON.stringify({ name: 'acme/lib', autoload: { 'psr-4': { 'Acme\\Lib\\': 'src/' } } });

describe('Composer package zips', () => {
  it('reads composer.json at the top of the zip', async () => {
    const read = await readPackageZip(await zipOf({ 'composer.json': manifest, 'src/Lib.php': '<?php' }));
    assert.deepEqual([read.composerJson.name, read.folder], ['acme/lib', '']);
  });

  it('reads composer.json in the single top folder of a forge archive', async () => {
    const read = await readPackageZip(await zipOf({ 'lib-1a2b/composer.json': manifest, 'lib-1a2b/src/Lib.php': '<?php' }));
    assert.deepEqual([read.composerJson.name, read.folder], ['acme/lib', 'lib-1a2b/']);
  });

  it('refuses a zip without composer.json where Composer looks', async () => {
    await assert.rejects(readPackageZip(await zipOf({ 'src/Lib.php': '<?php' })), /no composer.json/);
    await assert.rejects(readPackageZip(await zipOf({ 'a/composer.json': manifest, 'b/x.php': '<?php' })), /no composer.json/);
    await assert.rejects(readPackageZip(await zipOf({ 'a/b/composer.json': manifest })), /no composer.json/);
  });

  it('refuses invalid JSON (422) and non-objects', async () => {
    await assert.rejects(readPackageZip(await zipOf({ 'composer.json': '{nope' })), (e: { statusCode: number }) => e.statusCode === 422);
    await assert.rejects(readPackageZip(await zipOf({ 'composer.json': '[1]' })), /not a JSON object/);
  });

  it('refuses bytes that are not a zip', async () => {
    await assert.rejects(readPackageZip(Buffer.from('PK not really')), /not a readable zip/);
  });

  it('refuses entries that would extract outside the target folder', async () => {
    // yazl itself refuses "../" and absolute names, so such zips are made by renaming a safe entry in the bytes.
    const safe = await zipOf({ 'composer.json': manifest, 'aa/evil.php': '<?php' });
    const hostile = Buffer.from(safe.toString('latin1').replaceAll('aa/evil.php', '../evil.php'), 'latin1');
    await assert.rejects(readPackageZip(hostile), /unsafe path/);
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\..\\x', 'a/./b', 'a//b', 'nul\u0000']) assert.throws(() => assertEntryName(bad), /unsafe path/, bad);
    for (const ok of ['a/', 'a/b.php', '.gitattributes', 'a/.hidden/x']) assertEntryName(ok);
  });
});
