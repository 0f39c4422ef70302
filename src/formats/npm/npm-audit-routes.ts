import { NpmAdvisories } from '../../contracts/package-clients.js';
import type { Api } from '../../http/api.js';

// `npm audit` (and every `npm install`, unless audit=false) POSTs the installed names and versions
// to the registry's advisory endpoint, gzip-compressed. Trove keeps no advisory database, so it
// answers as a registry without advisories does: `{}`, nothing known to be vulnerable. The body is
// read (within the body limit) and discarded unparsed: it is compressed, and nothing in it matters.
// `audits/quick` is the endpoint npm 6 used; it gets the same answer.

const ADVISORY_PATHS = ['-/npm/v1/security/advisories/bulk', '-/npm/v1/security/audits/quick'];
const REGISTRY_PREFIXES = ['/api/v4/projects/:id/packages/npm/', '/api/v4/groups/:id/-/packages/npm/'];

export async function registerNpmAuditRoutes(scope: Api): Promise<void> {
  await scope.register(async (audit: Api) => {
    audit.removeAllContentTypeParsers();
    audit.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    for (const prefix of REGISTRY_PREFIXES) {
      for (const path of ADVISORY_PATHS) audit.post(`${prefix}${path}`, { schema: { response: { 200: NpmAdvisories } } }, async () => ({}));
    }
  });
}
