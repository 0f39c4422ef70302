import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import yazl from 'yazl';
import { checkGoInfo, checkGoMod, checkGoZip, goModModulePath } from './go-files.js';

const dir = mkdtempSync(join(tmpdir(), 'trove-go-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/**
 * A zip with these entries (a name ending in / is a directory). yazl refuses to write ".." in a
 * name, so "@@" is written and then turned into ".." in the file's bytes (same length).
 */
async function zipOf(entries: Record<string, string>): Promise<string> {
  const file = join(dir, `${++count}.zip`);
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name);
    else zip.addBuffer(Buffer.from(content), name);
  }
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
  const bytes = readFileSync(file);
  for (let at = bytes.indexOf('@@'); at >= 0; at = bytes.indexOf('@@', at)) bytes.write('..', at);
  writeFileSync(file, bytes);
  return file;
}

describe('module zip', () => {
  const prefix = 'example.com/hello@v1.0.0/';

  it('accepts files and folders under <module>@<version>/', async () => {
    await checkGoZip(await zipOf({ [`${prefix}go.mod`]: 'module example.com/hello\n', [`${prefix}pkg/`]: '', [`${prefix}pkg/a.go`]: 'package pkg', [`${prefix}hello.go`]: 'package hello' }), 'example.com/hello', 'v1.0.0');
  });

  it('refuses entries outside the prefix, traversal, duplicates and nested go.mod files', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'hello.go': 'x' }, /does not start with example\.com\/hello@v1\.0\.0\//],
      [{ 'example.com/hello@v1.0.1/a.go': 'x' }, /does not start with/],
      [{ [`${prefix}@@/evil.go`]: 'x' }, /\.zip is invalid.*(relative path|"\.\.")/],
      [{ [`${prefix}a/@@/@@/evil.go`]: 'x' }, /\.zip is invalid.*(relative path|"\.\.")/],
      [{ [`${prefix}A.go`]: 'x', [`${prefix}a.go`]: 'y' }, /appears twice/],
      [{ [`${prefix}x/`]: '', [`${prefix}X`]: 'y' }, /appears twice/],
      [{ [`${prefix}sub/go.mod`]: 'module example.com/hello/sub' }, /belongs in the module root/],
      [{ [`${prefix}a:b.go`]: 'x' }, /invalid character/],
    ];
    for (const [entries, expected] of cases) {
      await assert.rejects(checkGoZip(await zipOf(entries), 'example.com/hello', 'v1.0.0'), expected, JSON.stringify(entries));
    }
  });

  it('refuses what is not a zip', async () => {
    const file = join(dir, 'not.zip');
    await new Promise<void>((resolve) => createWriteStream(file).end('not a zip', resolve));
    await assert.rejects(checkGoZip(file, 'example.com/hello', 'v1.0.0'), /not a readable zip file/);
  });
});

describe('go.mod and .info', () => {
  it('reads the module directive, quoted or not, with comments', () => {
    assert.equal(goModModulePath('// c\nmodule example.com/hello // why\n\ngo 1.19\n'), 'example.com/hello');
    assert.equal(goModModulePath('module "example.com/hello"\n'), 'example.com/hello');
    assert.equal(goModModulePath('go 1.19\n'), null);
    assert.equal(goModModulePath('module a.com/x\nmodule b.com/y\n'), null);
  });

  it('refuses a go.mod naming another module', () => {
    checkGoMod(Buffer.from('module example.com/hello\n'), 'example.com/hello');
    assert.throws(() => checkGoMod(Buffer.from('module example.com/other\n'), 'example.com/hello'), /names example\.com\/other, not example\.com\/hello/);
    assert.throws(() => checkGoMod(Buffer.from([0xff, 0xfe]), 'example.com/hello'), /not UTF-8/);
  });

  it('wants {"Version","Time"} of this version', () => {
    checkGoInfo(Buffer.from('{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}'), 'v1.0.0');
    assert.throws(() => checkGoInfo(Buffer.from('{"Version":"v1.0.1","Time":"2024-01-02T03:04:05Z"}'), 'v1.0.0'), /Version is "v1\.0\.1"/);
    assert.throws(() => checkGoInfo(Buffer.from('{"Version":"v1.0.0","Time":"yesterday"}'), 'v1.0.0'), /RFC 3339/);
    assert.throws(() => checkGoInfo(Buffer.from('[1]'), 'v1.0.0'), /not a JSON object/);
    assert.throws(() => checkGoInfo(Buffer.from('{'), 'v1.0.0'), /not JSON/);
  });
});
