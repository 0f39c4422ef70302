import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { controlField, parseControl } from './debian-control.js';
import { rawDeb } from '../../../test/support/debian-apt.js';
import { readDebControl } from './debian-deb.js';

/** A source that hands the bytes over in small chunks, as a network stream would. */
async function* chunked(bytes: Buffer, size = 7) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const CONTROL = 'Package: trove-hello\nVersion: 1:1.0-1\nArchitecture: all\nMaintainer: T <t@example.com>\nDepends: libc6 (>= 2.0)\nDescription: hello\n a longer text\n .\n second paragraph\n';

describe('.deb control', () => {
  it('reads the control fields of a .deb, chunk by chunk, continuation lines kept', async () => {
    const fields = await readDebControl(chunked(await rawDeb(CONTROL)));
    assert.equal(controlField(fields, 'package'), 'trove-hello');
    assert.equal(controlField(fields, 'Version'), '1:1.0-1');
    assert.equal(controlField(fields, 'Depends'), 'libc6 (>= 2.0)');
    assert.equal(controlField(fields, 'Description'), 'hello\n a longer text\n .\n second paragraph');
  });

  it('refuses what is not a .deb, a zstd control archive, and a control file without fields', async () => {
    await assert.rejects(readDebControl(chunked(Buffer.from('PK\u0003\u0004 not an ar archive'))), /not an ar archive/);
    await assert.rejects(readDebControl(chunked(await rawDeb(CONTROL, 'control.tar.zst'))), /zst is not supported.*-Zxz/);
    await assert.rejects(readDebControl(chunked(await rawDeb(CONTROL, 'data.tar.gz'))), /unexpected member/);
    await assert.rejects(readDebControl(chunked((await rawDeb(CONTROL)).subarray(0, 8 + 60 + 4))), /no control archive/);
    await assert.rejects(readDebControl(chunked(await rawDeb('this is not a control file\n'))), /malformed line/);
  });

  it('parses control paragraphs: repeated fields and control characters are refused', () => {
    assert.throws(() => parseControl('Package: a\npackage: b\n'), /repeats/);
    assert.throws(() => parseControl('Package: a\u0000b\n'), /control characters/);
    assert.throws(() => parseControl(' continued\n'), /continuation/);
    assert.deepEqual([...parseControl('\n# comment\nPackage: a\n\nPackage: second-paragraph\n')], [['Package', 'a']]);
  });

  it('reads the xz control archive dpkg-deb writes', { skip: existsSync('/usr/bin/dpkg-deb') ? false : 'no dpkg-deb' }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'trove-deb-'));
    mkdirSync(join(root, 'pkg', 'DEBIAN'), { recursive: true });
    writeFileSync(join(root, 'pkg', 'DEBIAN', 'control'), CONTROL);
    execFileSync('dpkg-deb', ['-Zxz', '--root-owner-group', '--build', join(root, 'pkg'), join(root, 'out.deb')], { stdio: 'ignore' });
    const fields = await readDebControl(chunked(readFileSync(join(root, 'out.deb')), 1000));
    assert.equal(controlField(fields, 'Package'), 'trove-hello');
  });
});
