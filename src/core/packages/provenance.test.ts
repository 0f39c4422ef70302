import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { digestsOf, pep740Attestation, PYPI_PUBLISH_V1, sigstoreBundle, SLSA_PROVENANCE_V1 } from '../../../test/support/provenance-documents.js';
import { checkPep740Attestations, checkSigstoreBundle, npmPurl, PROVENANCE_MAX_BYTES, PROVENANCE_MAX_PER_FILE } from './provenance.js';

// The structure checks of provenance documents: a document is accepted only when its in-toto
// statement is about the uploaded file (its name and one of its digests); anything else is a 400
// (413 over the size limit) with a message that says what is wrong.

const tarball = Buffer.from('the tarball bytes');
const npmFile = { name: npmPurl('@acme/ui', '1.0.0'), ...digestsOf(tarball) };
const wheel = Buffer.from('the wheel bytes');
const wheelFile = { name: 'acme_ui-1.0.0-py3-none-any.whl', ...digestsOf(wheel) };

function refusal(fn: () => unknown, status: number, message: RegExp): void {
  assert.throws(fn, (error: { statusCode?: number; message: string }) => {
    assert.equal(error.statusCode, status, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('npmPurl', () => {
  it('names a version as npm-package-arg toPurl does', () => {
    assert.equal(npmPurl('@acme/ui', '1.0.0'), 'pkg:npm/%40acme/ui@1.0.0');
    assert.equal(npmPurl('left-pad', '1.3.0-beta.1'), 'pkg:npm/left-pad@1.3.0-beta.1');
  });
});

describe('checkSigstoreBundle', () => {
  it('accepts a bundle about the tarball and records its digest, predicate type and subjects', () => {
    const text = JSON.stringify(sigstoreBundle([{ name: npmFile.name, digest: { sha512: npmFile.sha512 } }]));
    const doc = checkSigstoreBundle(text, npmFile);
    assert.equal(doc.kind, 'sigstore_bundle');
    assert.equal(doc.text, text);
    assert.equal(doc.sha256, createHash('sha256').update(text).digest('hex'));
    assert.equal(doc.predicateType, SLSA_PROVENANCE_V1);
    assert.equal(doc.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.deepEqual(doc.subjects, [{ name: npmFile.name, digest: { sha512: npmFile.sha512 } }]);
  });

  it('refuses a statement about other bytes or another package', () => {
    const other = digestsOf(Buffer.from('other bytes'));
    refusal(() => checkSigstoreBundle(JSON.stringify(sigstoreBundle([{ name: npmFile.name, digest: { sha512: other.sha512 } }])), npmFile), 400, /digest does not match/);
    refusal(() => checkSigstoreBundle(JSON.stringify(sigstoreBundle([{ name: 'pkg:npm/evil@1.0.0', digest: { sha512: npmFile.sha512 } }])), npmFile), 400, /subject is not/);
  });

  it('refuses what is not a Sigstore bundle with an in-toto statement', () => {
    const good = sigstoreBundle([{ name: npmFile.name, digest: { sha512: npmFile.sha512 } }]);
    const envelope = good.dsseEnvelope as Record<string, unknown>;
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, mediaType: 'application/json' }, /mediaType/],
      [{ ...good, verificationMaterial: undefined }, /verificationMaterial/],
      [{ ...good, dsseEnvelope: { ...envelope, payloadType: 'text/plain' } }, /payloadType/],
      [{ ...good, dsseEnvelope: { ...envelope, signatures: [] } }, /signature/],
      [{ ...good, dsseEnvelope: { ...envelope, payload: Buffer.from('{"_type":"x"}').toString('base64') } }, /in-toto Statement/],
      [[good], /not a JSON object/],
    ];
    for (const [bundle, message] of cases) refusal(() => checkSigstoreBundle(JSON.stringify(bundle), npmFile), 400, message);
    refusal(() => checkSigstoreBundle('{not json', npmFile), 400, /not JSON/);
    refusal(() => checkSigstoreBundle(JSON.stringify({ ...good, padding: 'x'.repeat(PROVENANCE_MAX_BYTES) }), npmFile), 413, /over the limit/);
  });
});

describe('checkPep740Attestations', () => {
  const about = (digest: Record<string, string>, name = wheelFile.name) => pep740Attestation([{ name, digest }]);

  it('accepts attestations about the distribution, each a document of its own', () => {
    const docs = checkPep740Attestations(JSON.stringify([about({ sha256: wheelFile.sha256 }), pep740Attestation([{ name: wheelFile.name, digest: { sha256: wheelFile.sha256 } }], SLSA_PROVENANCE_V1)]), wheelFile);
    assert.deepEqual(docs.map((d) => [d.kind, d.predicateType]), [['pep740_attestation', PYPI_PUBLISH_V1], ['pep740_attestation', SLSA_PROVENANCE_V1]]);
    assert.equal(docs[0].sha256, createHash('sha256').update(docs[0].text).digest('hex'));
  });

  it('refuses a subject digest or name that is not the uploaded file', () => {
    refusal(() => checkPep740Attestations(JSON.stringify([about({ sha256: digestsOf(Buffer.from('x')).sha256 })]), wheelFile), 400, /digest does not match/);
    refusal(() => checkPep740Attestations(JSON.stringify([about({ sha256: wheelFile.sha256 }, 'other-1.0.0.tar.gz')]), wheelFile), 400, /subject is not/);
  });

  it('refuses what is not a list of attestation objects, and too many', () => {
    const good = about({ sha256: wheelFile.sha256 });
    refusal(() => checkPep740Attestations('{}', wheelFile), 400, /JSON array/);
    refusal(() => checkPep740Attestations('[]', wheelFile), 400, /JSON array/);
    refusal(() => checkPep740Attestations(JSON.stringify([{ ...good, version: 2 }]), wheelFile), 400, /version 1/);
    refusal(() => checkPep740Attestations(JSON.stringify([{ ...good, verification_material: {} }]), wheelFile), 400, /verification_material/);
    refusal(() => checkPep740Attestations(JSON.stringify([{ ...good, envelope: { statement: 'e30=' } }]), wheelFile), 400, /signature/);
    refusal(() => checkPep740Attestations(JSON.stringify(Array(PROVENANCE_MAX_PER_FILE + 1).fill(good)), wheelFile), 400, /at most/);
  });
});
