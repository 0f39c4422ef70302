import { readFileSync } from 'node:fs';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { Metadata, Version } from '../../contracts/instance.js';
import type { Api } from '../api.js';

// GitLab's `GET /version` and `GET /metadata`, which clients call to find out what they talk to
// (python-gitlab's gl.version(), glab, the Terraform provider). As in GitLab they need a signed-in
// user. The version is Trove's own (package.json); there is no build revision to report.

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const REVISION = 'unknown';

export function registerInstanceRoutes(app: Api): void {
  app.get('/api/v4/version', { schema: { response: { 200: Version } } }, async (request) => {
    requireApiUser(request.principal, false);
    return { version, revision: REVISION };
  });

  app.get('/api/v4/metadata', { schema: { response: { 200: Metadata } } }, async (request) => {
    requireApiUser(request.principal, false);
    // Trove has no Kubernetes agent server (KAS) and is not GitLab's Enterprise Edition.
    return { version, revision: REVISION, kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null }, enterprise: false };
  });
}
