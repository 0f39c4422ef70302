import { gzipSync } from 'node:zlib';
import { OCI_INDEX, OCI_MANIFEST, seededBytes, sha256Digest, type Descriptor } from '../support/oci-images.js';

// The test content of the OCI distribution-spec conformance suite (conformance/setup.go at the
// commit before its redesign), made the same way: five image configs with a random author, one
// gzip layer, five manifests (config i + the layer), a manifest without layers, two 42-byte blobs
// (B in two chunks) and the referrers test artifacts, whose subjects are manifests 4 and 3. The
// randomness comes from a seed per run, so that two runs never see each other's blobs.

export interface TestBlob {
  bytes: Buffer;
  digest: string;
}

const blob = (bytes: Buffer): TestBlob => ({ bytes, digest: sha256Digest(bytes) });
/** The suite marshals with json.MarshalIndent(v, "", "\t"): registries must keep those exact bytes. */
const document = (value: unknown): TestBlob => blob(Buffer.from(JSON.stringify(value, null, '\t')));
const descriptor = (mediaType: string, b: TestBlob): Descriptor => ({ mediaType, digest: b.digest, size: b.bytes.length });

export const ANNOTATION = 'org.opencontainers.conformance.test';
export const ARTIFACT_TYPE_A = 'application/vnd.nhl.peanut.butter.bagel';
export const ARTIFACT_TYPE_B = 'application/vnd.nba.strawberry.jam.croissant';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';

/** The error codes of the distribution spec: an error body's first code must be one of them. */
export const ERROR_CODES = [
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN', 'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN', 'MANIFEST_UNVERIFIED', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'TAG_INVALID', 'UNAUTHORIZED', 'DENIED', 'UNSUPPORTED',
];

export function conformanceFixtures(seed: string) {
  const configs = [0, 1, 2, 3, 4].map((i) =>
    document({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, author: seededBytes(`${seed}/author/${i}`, 8).toString('hex') }),
  );
  const layer = blob(gzipSync(seededBytes(`${seed}/layer`, 1024)));
  const manifests = configs.map((config) =>
    document({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...descriptor(CONFIG, config), data: config.bytes.toString('base64'), newUnspecifiedField: Buffer.from('hello world').toString('base64') }, layers: [descriptor(LAYER, layer)] }),
  );
  const emptyLayerManifest = document({ schemaVersion: 2, config: descriptor(CONFIG, configs[1]), layers: [] });

  const blobA = blob(seededBytes(`${seed}/blob-a`, 42));
  const blobB = blob(seededBytes(`${seed}/blob-b`, 42));
  const half = 21;
  const chunks = [
    { bytes: blobB.bytes.subarray(0, half), range: `0-${half - 1}` },
    { bytes: blobB.bytes.subarray(half), range: `${half}-${blobB.bytes.length - 1}` },
  ];

  const emptyJson = blob(Buffer.from('{}'));
  const refBlobA = blob(Buffer.from('NHL Peanut Butter on my NHL bagel'));
  const refBlobB = blob(Buffer.from('NBA Strawberry Jam on my NBA croissant'));
  const subject = (m: TestBlob) => descriptor(OCI_MANIFEST, m);
  const annotated = (value: string) => ({ [ANNOTATION]: value });
  const configArtifact = (type: string, b: TestBlob, note: string) =>
    document({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(type, b), subject: subject(manifests[4]), layers: [descriptor(EMPTY, emptyJson)], annotations: annotated(note) });
  const layerArtifact = (type: string, b: TestBlob, of: TestBlob, note?: string) =>
    document({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: type,
      config: descriptor(EMPTY, emptyJson),
      subject: subject(of),
      layers: [descriptor(type, b)],
      ...(note ? { annotations: annotated(note) } : {}),
    });
  const refs = {
    aConfig: configArtifact(ARTIFACT_TYPE_A, refBlobA, 'test config a'),
    bConfig: configArtifact(ARTIFACT_TYPE_B, refBlobB, 'test config b'),
    aLayer: layerArtifact(ARTIFACT_TYPE_A, refBlobA, manifests[4], 'test layer a'),
    bLayer: layerArtifact(ARTIFACT_TYPE_B, refBlobB, manifests[4], 'test layer b'),
    /** The one referrer of manifests[3], which is never pushed in the discovery workflow. */
    cLayer: layerArtifact(ARTIFACT_TYPE_B, refBlobB, manifests[3]),
  };
  const refsIndex = document({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    artifactType: 'application/vnd.food.stand',
    manifests: [descriptor(OCI_MANIFEST, refs.aConfig), descriptor(OCI_MANIFEST, refs.aLayer)],
    subject: subject(manifests[4]),
    annotations: annotated('test index'),
  });
  /** The annotation each referrer of manifests[4] carries, by digest. */
  const annotations: Record<string, string> = {
    [refs.aConfig.digest]: 'test config a',
    [refs.bConfig.digest]: 'test config b',
    [refs.aLayer.digest]: 'test layer a',
    [refs.bLayer.digest]: 'test layer b',
    [refsIndex.digest]: 'test index',
  };

  return {
    configs,
    layer,
    manifests,
    emptyLayerManifest,
    blobA,
    blobB,
    chunks,
    emptyJson,
    refBlobA,
    refBlobB,
    refs,
    refsIndex,
    annotations,
    /** sha256 of "hello world": a digest no test pushes. */
    dummyDigest: sha256Digest('hello world'),
    nonexistentManifest: '.INVALID_MANIFEST_NAME',
  };
}

export type ConformanceFixtures = ReturnType<typeof conformanceFixtures>;
