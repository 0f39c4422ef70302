import { after, before, describe, it } from 'node:test';
import { ACTION_NAMES, ACTIONS, AuthzWorld, row, type Credential, type Role, type Row } from '../support/authz-matrix.js';

// The authorization matrix for personal access tokens: every role on the private group "acme"
// (project acme/web-app) x every PAT scope x every package action, each cell its own test.
// Rules (docs/architecture.md#domain-model, docs/api.md#common-rules; GitLab): 404 where the caller may not know the project or group exists,
// 403 for a scope or role that is not enough on a visible resource. Read: reporter+; publish:
// developer+; delete: maintainer+; settings: owner; group audit: owner all, developer and
// maintainer their own; project audit: maintainer+ all, developer their own. REST needs api
// (writes) or read_api (reads); the package-registry scopes work only on the npm endpoints.
// Deploy tokens, job tokens, anonymous and bad credentials: authorization-matrix-tokens.e2e.test.ts.

const O = 'own';
const A = 'all';

// prettier-ignore
const TABLE: Array<[Role, string, Row]> = [
  //                                                     read publish unpub delete list settings gAudit pAudit otherRead otherList
  ['nonMember',  'api',                    row(404, 404, 404, 404, 404, 404, 404, 404, 404, 404)],
  ['nonMember',  'read_api',               row(404, 404, 404, 404, 404, 403, 404, 404, 404, 404)],
  ['nonMember',  'read_package_registry',  row(404, 404, 404, 404, 404, 403, 403, 403, 404, 404)],
  ['nonMember',  'write_package_registry', row(404, 404, 404, 404, 404, 403, 403, 403, 404, 404)],

  ['guest',      'api',                    row(403, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['guest',      'read_api',               row(403, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['guest',      'read_package_registry',  row(403, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['guest',      'write_package_registry', row(403, 403, 403, 403, 403, 403, 403, 403, 404, 404)],

  ['reporter',   'api',                    row(200, 403, 403, 403, 200, 403, 403, 403, 404, 404)],
  ['reporter',   'read_api',               row(200, 403, 403, 403, 200, 403, 403, 403, 404, 404)],
  ['reporter',   'read_package_registry',  row(200, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['reporter',   'write_package_registry', row(200, 403, 403, 403, 403, 403, 403, 403, 404, 404)],

  ['developer',  'api',                    row(200, 200, 403, 403, 200, 403, O,   O,   404, 404)],
  ['developer',  'read_api',               row(200, 403, 403, 403, 200, 403, O,   O,   404, 404)],
  ['developer',  'read_package_registry',  row(200, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['developer',  'write_package_registry', row(200, 200, 403, 403, 403, 403, 403, 403, 404, 404)],

  ['maintainer', 'api',                    row(200, 200, 200, 204, 200, 403, O,   A,   404, 404)],
  ['maintainer', 'read_api',               row(200, 403, 403, 403, 200, 403, O,   A,   404, 404)],
  ['maintainer', 'read_package_registry',  row(200, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['maintainer', 'write_package_registry', row(200, 200, 200, 403, 403, 403, 403, 403, 404, 404)],

  ['owner',      'api',                    row(200, 200, 200, 204, 200, 200, A,   A,   404, 404)],
  ['owner',      'read_api',               row(200, 403, 403, 403, 200, 403, A,   A,   404, 404)],
  ['owner',      'read_package_registry',  row(200, 403, 403, 403, 403, 403, 403, 403, 404, 404)],
  ['owner',      'write_package_registry', row(200, 200, 200, 403, 403, 403, 403, 403, 404, 404)],

  ['admin',      'api',                    row(200, 200, 200, 204, 200, 200, A,   A,   200, 200)],
  ['admin',      'read_api',               row(200, 403, 403, 403, 200, 403, A,   A,   200, 200)],
  ['admin',      'read_package_registry',  row(200, 403, 403, 403, 403, 403, 403, 403, 200, 403)],
  ['admin',      'write_package_registry', row(200, 200, 200, 403, 403, 403, 403, 403, 200, 403)],
];

describe('authorization matrix: roles x personal access token scopes', () => {
  let authz: AuthzWorld;
  const creds = new Map<string, Credential>();

  before(async () => {
    authz = await AuthzWorld.create();
    for (const [role, scope] of TABLE) creds.set(`${role}/${scope}`, await authz.pat(role, scope));
  });

  after(async () => {
    await authz?.stop();
  });

  for (const [role, scope, expectations] of TABLE) {
    describe(`${role} with a PAT scoped ${scope}`, () => {
      for (const action of ACTIONS) {
        const expected = expectations[action];
        it(`${ACTION_NAMES[action]} -> ${expected}`, () => authz.check(creds.get(`${role}/${scope}`)!, action, expected));
      }
    });
  }
});
