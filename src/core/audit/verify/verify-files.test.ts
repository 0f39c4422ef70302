import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { leafHashOf } from '../seal/canonical-json.js';
import { openCheckpoint, signCheckpoint } from '../seal/checkpoint.js';
import { hashFromHex, rootOf } from '../seal/merkle.js';
import { createNoteSigner, formatVerifierKey, parseVerifierKey } from '../seal/signed-note.js';
import { SealFormatError } from '../seal/seal-error.js';
import {
  formatCheckpointsText,
  parseCheckpointsFile,
  parseCheckpointsJson,
  parseCheckpointsText,
  parseTrustedKeys,
  readJsonlEvents,
  readTrustedKeysFile,
} from './verify-files.js';
import { InvalidEvent, verifyAuditLog } from './verify-log.js';
import { tempDir } from '../../../../test/support/temp-dir.js';

const signer = createNoteSigner('trove-audit-files', generateKeyPairSync('ed25519').privateKey);
const verifierKey = formatVerifierKey(signer.name, signer.publicKey);
const trusted = parseVerifierKey(verifierKey);
const records = [1, 2, 3].map((seq) => ({ id: seq, seq, event_name: 'e', n: 'é✓' }));
const leaves = records.map((r) => hashFromHex(leafHashOf(r)));
const notes = [1, 2, 3].map((size) => signCheckpoint({ origin: 'files.test/audit', treeSize: size, rootHash: rootOf(leaves.slice(0, size)), extensions: [] }, signer));

function tmp(name: string, content: string): string {
  const path = join(tempDir('trove-verify-files-'), name);
  writeFileSync(path, content);
  return path;
}

describe('checkpoint files', () => {
  it('text form: notes separated by "---" lines, round trip, CRLF and surrounding blank lines tolerated', () => {
    const text = formatCheckpointsText(notes);
    assert.equal(text.split('\n').filter((line) => line === '---').length, 2);
    assert.deepEqual(parseCheckpointsText(text, 'f').map((c) => c.note), notes);
    assert.deepEqual(parseCheckpointsText(text, 'f').map((c) => c.source), ['f #1', 'f #2', 'f #3']);
    const sloppy = `\n${text.replaceAll('\n', '\r\n').replaceAll('---', '\r\n---\r\n')}\n\n`;
    const parsed = parseCheckpointsFile(sloppy, 'f');
    assert.deepEqual(parsed.map((c) => c.note), notes);
    for (const c of parsed) assert.ok(openCheckpoint(c.note, [trusted]).ok);
    assert.deepEqual(parseCheckpointsText('', 'f'), []);
  });

  it('JSON form: the API listing (newest first, with declared tree_size and root_hash) or one object', () => {
    const listing = [...notes].reverse().map((note, i) => ({ tree_size: 3 - i, root_hash: 'ab', key_name: signer.name, created_at: 'x', checkpoint: note }));
    const parsed = parseCheckpointsFile(JSON.stringify(listing), 'cps.json');
    assert.deepEqual(parsed[0], { note: notes[2], source: 'cps.json[0]', declaredTreeSize: 3, declaredRootHash: 'ab' });
    assert.deepEqual(parseCheckpointsJson(JSON.stringify({ checkpoint: notes[0], public_key: verifierKey }), 'one.json'), [{ note: notes[0], source: 'one.json' }]);
    assert.throws(() => parseCheckpointsJson('[{"tree_size": 3}]', 'bad.json'), (e: Error) => e instanceof SealFormatError && /bad\.json\[0\]/.test(e.message));
    assert.throws(() => parseCheckpointsJson('[', 'bad.json'), SealFormatError);
  });

  it('trusted key files: one verifier key per line, comments and blanks skipped, bad keys named by line', async () => {
    const other = formatVerifierKey('other', createNoteSigner('other', generateKeyPairSync('ed25519').privateKey).publicKey);
    assert.deepEqual(parseTrustedKeys(`# keys\n${verifierKey}\n\n  ${other}  \n`).map((k) => k.name), ['trove-audit-files', 'other']);
    assert.throws(() => parseTrustedKeys(`${verifierKey}\nnot-a-key\n`, 'k.pub'), /k\.pub:2/);
    await assert.rejects(readTrustedKeysFile(tmp('empty.pub', '\n# nothing\n')), /no verifier key/);
  });

  it('reads a JSONL export line by line and verifies it end to end from files', async () => {
    const lines = records.map((r) => JSON.stringify({ ...r, leaf_hash: leafHashOf(r) }));
    const exportFile = tmp('audit.jsonl', `${lines.join('\n')}\n\n`);
    const events = [];
    for await (const event of readJsonlEvents(exportFile)) events.push(event);
    assert.equal(events.length, 3);
    const checkpoints = parseCheckpointsFile(formatCheckpointsText(notes));
    const result = await verifyAuditLog(readJsonlEvents(exportFile), { mode: 'full', checkpoints, trustedKeys: [trusted] });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.rootsRecomputed, 3);

    const broken = tmp('broken.jsonl', `${lines[0]}\n{"id": 2,\n${lines[2]}\n`);
    const read = [];
    for await (const event of readJsonlEvents(broken)) read.push(event);
    assert.ok(read[1] instanceof InvalidEvent && /broken\.jsonl:2 is not valid JSON/.test(read[1].reason));
    const failed = await verifyAuditLog(readJsonlEvents(broken), { mode: 'full', checkpoints, trustedKeys: [trusted] });
    assert.deepEqual([failed.ok, !failed.ok && failed.seq], [false, 2]);
  });
});
