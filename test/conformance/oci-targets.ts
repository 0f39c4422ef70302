import { registryToken } from '../support/oci-http.js';
import type { RegistryCredentials } from '../support/oci-images.js';
import { available, startReferenceRegistry } from '../support/reference-registry.js';
import { TEST_BACKEND } from '../support/test-database.js';
import { startTrove } from '../support/trove-process.js';
import { World } from '../support/world.js';

// The registries the OCI conformance checks run against. Each says which parts of the spec it is
// known not to implement: those checks still run, reported as TODO with the reason, so that a gap
// is visible in every run and a check that starts passing shows up there too.

/** The repository the checks use, and the one blobs are cross-mounted into (both of project acme/web-app). */
export const REPOSITORY = 'acme/web-app/conformance';
export const CROSSMOUNT_REPOSITORY = 'acme/web-app/crossmount';

export interface RunningTarget {
  baseUrl: string;
  /** Sent with every request (a bearer token from the registry's realm), when the registry wants auth. */
  authHeader?: Record<string, string>;
  /** What a real client (skopeo) logs in with, when the registry wants auth. */
  credentials?: RegistryCredentials;
  stop(): Promise<void>;
}

/**
 * chunk-order: PATCH checks Content-Range against the upload's offset (416), and GET of an upload
 * session answers 204 with its Range. tag-order: tags/list is sorted. tag-delete: DELETE by tag is
 * 202, or 400 UNSUPPORTED. malformed-digest: a manifest GET of a malformed digest is 400 or 404.
 */
export type Gap = 'chunk-order' | 'tag-order' | 'tag-delete' | 'malformed-digest';

export interface OciTarget {
  name: string;
  /** A reason to skip the whole target on this run, or false. */
  skip: string | false;
  /** GET /v2/<name>/referrers/<digest> and the OCI-Subject header on manifest PUT. */
  supportsReferrers: boolean;
  /** `n` and `last` on GET /v2/<name>/tags/list, with a Link header to the next page. */
  paginatesTags: boolean;
  /** Other checks this target is known to fail, each with what it does instead. */
  knownGaps: Partial<Record<Gap, string>>;
  start(): Promise<RunningTarget>;
}

/** Debian's docker-registry (CNCF distribution 2.8.2), no auth. */
const reference: OciTarget = {
  name: 'reference registry (distribution 2.8.2)',
  // It has no database: the PostgreSQL run of the suite would repeat the very same run.
  skip: !available() ? 'docker-registry is not installed (scripts/install-test-deps.sh)' : TEST_BACKEND === 'postgres' ? 'the reference registry has no database: the SQLite run covers it' : false,
  supportsReferrers: false,
  paginatesTags: false,
  knownGaps: {
    'chunk-order': 'distribution 2.8.2 appends a PATCH whatever its Content-Range (202), and answers 404 BLOB_UPLOAD_INVALID at any Location of the session but the latest',
    'tag-order': 'distribution 2.8.2 lists tags in storage order, unsorted',
    'tag-delete': 'distribution 2.8.2 answers a DELETE by tag with 400 DIGEST_INVALID, not UNSUPPORTED',
    'malformed-digest': 'distribution 2.8.2 answers 500 UNKNOWN to a manifest GET of sha256:totallywrong',
  },
  async start() {
    const registry = await startReferenceRegistry();
    return { baseUrl: registry.baseUrl, stop: registry.stop };
  },
};

/**
 * TROVE: Trove's own /v2/, with a maintainer of group acme (project web-app) whose personal access
 * token (read_registry, write_registry) gets a registry token from /jwt/auth for both repositories.
 * Runs on both backends.
 */
const trove: OciTarget = {
  name: 'TROVE',
  skip: false,
  supportsReferrers: true,
  paginatesTags: true,
  knownGaps: {},
  async start() {
    const server = await startTrove();
    try {
      const world = new World(server);
      const group = await world.group('acme');
      await world.project('web-app', group.id);
      const user = await world.user('oci-conformance', ['read_registry', 'write_registry']);
      await world.addMember('groups', group.id, user, 40);
      const scopes = [REPOSITORY, CROSSMOUNT_REPOSITORY].map((name) => `repository:${name}:pull,push,delete`);
      const credentials = { username: user.username, token: user.token };
      const token = await registryToken(server.baseUrl, credentials, scopes);
      return { baseUrl: server.baseUrl, authHeader: { authorization: `Bearer ${token}` }, credentials, stop: async () => void (await server.stop()) };
    } catch (error) {
      await server.stop();
      throw error;
    }
  },
};

export const OCI_TARGETS: OciTarget[] = [reference, trove];
