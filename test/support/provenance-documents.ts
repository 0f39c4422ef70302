import { createHash, randomBytes } from 'node:crypto';

// Provenance documents shaped as CI publishes them: the Sigstore bundle `npm publish --provenance`
// attaches and the PEP 740 attestation `twine upload --attestations` sends. Neither can be made
// offline for real (signing needs Sigstore's Fulcio and Rekor), and Trove does not verify the
// signature, so the certificate and signatures here are random bytes in the right places.

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const PYPI_PUBLISH_V1 = 'https://docs.pypi.org/attestations/publish/v1';

export interface Subject {
  name: string;
  digest: Record<string, string>;
}

export function digestsOf(bytes: Buffer): { sha256: string; sha512: string } {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), sha512: createHash('sha512').update(bytes).digest('hex') };
}

function statement(subjects: Subject[], predicateType: string): string {
  const predicate = { buildDefinition: { buildType: 'https://github.com/npm/cli/gha/v2', externalParameters: { workflow: { ref: 'refs/heads/main' } } } };
  return Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: subjects, predicateType, predicate })).toString('base64');
}

const fakeBase64 = (bytes: number) => randomBytes(bytes).toString('base64');

/** A Sigstore bundle v0.3 with a DSSE envelope around an in-toto statement about `subjects`. */
export function sigstoreBundle(subjects: Subject[], predicateType = SLSA_PROVENANCE_V1): Record<string, unknown> {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: fakeBase64(600) },
      tlogEntries: [{ logIndex: '123456', logId: { keyId: fakeBase64(32) }, kindVersion: { kind: 'dsse', version: '0.0.1' }, integratedTime: '1765000000' }],
    },
    dsseEnvelope: { payload: statement(subjects, predicateType), payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: fakeBase64(71), keyid: '' }] },
  };
}

/** A PEP 740 attestation object about `subjects`. */
export function pep740Attestation(subjects: Subject[], predicateType = PYPI_PUBLISH_V1): Record<string, unknown> {
  return {
    version: 1,
    verification_material: { certificate: fakeBase64(600), transparency_entries: [{ logIndex: '123457', kindVersion: { kind: 'dsse', version: '0.0.1' } }] },
    envelope: { statement: statement(subjects, predicateType), signature: fakeBase64(71) },
  };
}
