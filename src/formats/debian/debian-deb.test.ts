import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { controlField, parseControl } from './debian-control.js';
import { readDebControl } from './debian-deb.js';

function arMember(name: string, data: Buffer): Buffer {
  const header = `${name.padEnd(16)}${'0'.padEnd(12)}${'0'.padEnd(6)}${'0'.padEnd(6)}${'100644'.padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, size: Buffer.byteLength(content) }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function deb(control: string, memberName = 'control.tar.gz'): Promise<Buffer> {
  const controlTar = gzipSync(await tarOf({ './': '', './control': control }));
  return Buffer.concat([Buffer.from('!<arch>\n'), arMember('debian-binary', Buffer.from('2.0\n')), arMember(memberName, controlTar), arMember('data.tar.gz', gzipSync(await tarOf({})))]);
}

/** A source that hands the bytes over in small chunks, as a network stream would. */
async function* chunked(bytes: Buffer, size = 7) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const CONTROL = 'Package: trove-hello\nVersion: 1:1.0-1\nArchitecture: all\nMaintainer: T <t@example.com>\nDepends: libc6 (>= 2.0)\nDescription: hello\n a longer text\n .\n second paragraph\n';

describe('.deb control', () => {
  it('reads the control fields of a .deb, chunk by chunk, continuation lines kept', async () => {
    const fields = await readDebControl(chunked(await deb(CONTROL)));
    assert.equal(controlField(fields, 'package'), 'trove-hello');
    assert.equal(controlField(fields, 'Version'), '1:1.0-1');
    assert.equal(controlField(fields, 'Depends'), 'libc6 (>= 2.0)');
    assert.equal(controlField(fields, 'Description'), 'hello\n a longer text\n .\n second paragraph');
  });

  it('refuses what is not a .deb, a zstd control archive, and a control file without fields', async () => {
    await assert.rejects(readDebControl(chunked(Buffer.from('PK\u0003\u0004 not an ar archive'))), /not an ar archive/);
    await assert.rejects(readDebControl(chunked(await deb(CONTROL, 'control.tar.zst'))), /zst is not supported.*-Zxz/);
    await assert.rejects(readDebControl(chunked(await deb(CONTROL, 'data.tar.gz'))), /unexpected member/);
    await assert.rejects(readDebControl(chunked(Buffer.concat([Buffer.from('!<arch>\n'), arMember('debian-binary', Buffer.from('2.0\n'))]))), /no control archive/);
    await assert.rejects(readDebControl(chunked(await deb('this is not a control file\n'))), /malformed line/);
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
