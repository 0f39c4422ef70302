import { isDigest, sha256Of } from './digests.js';
import { ociError } from './oci-errors.js';

// The four manifest kinds Trove stores (OCI image manifest and index, Docker schema 2 manifest and
// manifest list), parsed into what the registry keeps about them: what they reference (which must
// already be in the repository) and what the referrers API and the UI show.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
const MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST, ...INDEX_TYPES]);

export interface Platform {
  architecture?: string;
  os?: string;
  variant?: string;
}

export interface ParsedManifest {
  mediaType: string;
  configDigest: string | null;
  subjectDigest: string | null;
  /** The artifact type the referrers API reports: artifactType, else (image manifests) the config's media type. */
  artifactType: string | null;
  annotations: Record<string, string> | null;
  /** An index's children's platforms. */
  platforms: Platform[] | null;
  /** Config and layers (image manifests). */
  blobs: string[];
  /** Child manifests (indexes). */
  children: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(message: string): never {
  throw ociError('MANIFEST_INVALID', message);
}

function descriptor(value: unknown, where: string): { digest: string; mediaType: string | null; platform: Platform | null } {
  if (!isObject(value) || typeof value.digest !== 'string' || !isDigest(value.digest)) invalid(`${where} is not a descriptor with a digest`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0) invalid(`${where} has no valid size`);
  sha256Of(value.digest);
  const platform = isObject(value.platform) ? (value.platform as Platform) : null;
  return { digest: value.digest, mediaType: typeof value.mediaType === 'string' ? value.mediaType : null, platform };
}

function annotationsOf(doc: Json): Record<string, string> | null {
  if (doc.annotations === undefined) return null;
  if (!isObject(doc.annotations) || Object.values(doc.annotations).some((v) => typeof v !== 'string')) invalid('annotations must map strings to strings');
  return doc.annotations as Record<string, string>;
}

/** The media type a PUT declares: its Content-Type, else the document's own mediaType. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    invalid('manifest is not valid JSON');
  }
  if (!isObject(doc)) invalid('manifest is not a JSON object');
  if (doc.schemaVersion !== 2) invalid('schemaVersion must be 2');
  const declared = contentType?.split(';')[0]!.trim().toLowerCase() || undefined;
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const mediaType = declared ?? own;
  if (mediaType === undefined || !MANIFEST_TYPES.has(mediaType)) throw ociError('MANIFEST_INVALID', `unsupported manifest media type: ${String(mediaType).slice(0, 160)}`);
  if (own !== undefined && own !== mediaType) invalid(`Content-Type ${mediaType} does not match the manifest's mediaType ${own}`);
  const subject = doc.subject === undefined ? null : descriptor(doc.subject, 'subject').digest;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : null;
  const annotations = annotationsOf(doc);
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(doc.manifests)) invalid('an index needs a manifests list');
    const children = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    return {
      mediaType,
      configDigest: null,
      subjectDigest: subject,
      artifactType,
      annotations,
      platforms: children.map((c) => c.platform ?? {}),
      blobs: [],
      children: children.map((c) => c.digest),
    };
  }
  const config = descriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) invalid('an image manifest needs a layers list');
  const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`).digest);
  return {
    mediaType,
    configDigest: config.digest,
    subjectDigest: subject,
    artifactType: artifactType ?? config.mediaType,
    annotations,
    platforms: null,
    blobs: [...new Set([config.digest, ...layers])],
    children: [],
  };
}

/**
 * Whether a client's Accept list takes this media type. Clients send several Accept lines, which
 * Node joins with ", "; no Accept at all takes anything, as do the wildcards.
 */
export function accepts(accept: string | undefined, mediaType: string): boolean {
  if (!accept) return true;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.some((type) => type === mediaType || type === '*/*' || type === 'application/*' || type === '');
}
