import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClaims, checkIssuer, conditionIdentifies, insecureIssuersAllowed, PUBLISHER_LIMITS, validatedPublisher, type PublisherFields } from './trusted-publisher-fields.js';

const GITLAB = 'https://gitlab.com';
const GITHUB = 'https://token.actions.githubusercontent.com';

function fields(overrides: Partial<PublisherFields> = {}): PublisherFields {
  return { issuer: GITLAB, audience: 'https://trove.example', claims: { project_path: 'acme/app' }, package_type: null, package_name_pattern: null, ...overrides };
}

const refused = (fn: () => unknown, message: RegExp) => assert.throws(fn, (error: Error & { statusCode?: number }) => error.statusCode === 400 && message.test(error.message));

describe('trusted publisher fields', () => {
  it('takes an https issuer exactly as its tokens spell it', () => {
    checkIssuer('https://gitlab.com', false);
    checkIssuer('https://idp.example/', false);
    checkIssuer('https://ghe.example/_services/token', false);
    refused(() => checkIssuer('ftp://gitlab.com', false), /https URL/);
    refused(() => checkIssuer('gitlab.com', false), /https URL/);
    refused(() => checkIssuer('https://GitLab.com', false), /exactly as its tokens' iss claim: https:\/\/gitlab\.com$/);
    refused(() => checkIssuer('https://gitlab.com:443', false), /exactly/);
    refused(() => checkIssuer('https://gitlab.com?x=1', false), /query/);
    refused(() => checkIssuer('https://user:pw@gitlab.com', false), /credentials/);
    refused(() => checkIssuer('https://' + 'a'.repeat(300) + '.example', false), /1 to 255/);
  });

  it('takes http only on loopback, and only when insecure issuers are allowed', () => {
    refused(() => checkIssuer('http://127.0.0.1:9000', false), /loopback/);
    checkIssuer('http://127.0.0.1:9000', true);
    checkIssuer('http://[::1]:9000/issuer', true);
    refused(() => checkIssuer('http://10.0.0.1:9000', true), /loopback/);
    refused(() => checkIssuer('http://gitlab.example', true), /loopback/);
    assert.equal(insecureIssuersAllowed({ TROVE_OIDC_ALLOW_INSECURE_ISSUERS: '1' }), true);
    assert.equal(insecureIssuersAllowed({}), false);
  });

  it('requires claim conditions, within limits', () => {
    refused(() => checkClaims(GITLAB, {}), /at least one/);
    const many = Object.fromEntries(Array.from({ length: PUBLISHER_LIMITS.conditions + 1 }, (_, i) => [`c${i}`, 'x']));
    refused(() => checkClaims('https://idp.example', many), /at most 20/);
    refused(() => checkClaims(GITLAB, { project_path: 'acme/app', ref: 5 }), /claims\.ref must be a string/);
    refused(() => checkClaims(GITLAB, { project_path: 'acme/app', ref: '' }), /claims\.ref/);
    refused(() => checkClaims(GITLAB, { project_path: 'acme/app', ref: 'main\n' }), /control/);
    refused(() => checkClaims(GITLAB, { project_path: 'acme/app', 'bad name': 'x' }), /claim name/);
  });

  it('requires a condition that names the repository on GitLab and GitHub, and a real condition elsewhere', () => {
    checkClaims(GITLAB, { project_path: 'acme/app', ref: 'main' });
    checkClaims(GITLAB, { namespace_path: 'acme/*' });
    refused(() => checkClaims(GITLAB, { ref: 'main', ref_protected: 'true' }), /project_path or namespace_path/);
    refused(() => checkClaims(GITLAB, { project_path: '*' }), /project_path or namespace_path/);
    refused(() => checkClaims(GITLAB, { project_path: 'acme*' }), /project_path or namespace_path/);
    refused(() => checkClaims('https://gitlab.internal.example', { ref: 'main' }), /project_path or namespace_path/);
    checkClaims('https://gitlab.acme.example', { project_path: 'acme/app' });
    refused(() => checkClaims('https://gitlab.acme.example', { sub: 'project_path:acme/app:ref_type:branch:ref:main' }), /project_path or namespace_path/);
    checkClaims(GITHUB, { repository: 'acme/app', workflow_ref: 'acme/app/.github/workflows/release.yml@refs/heads/main' });
    checkClaims(GITHUB, { repository_owner: 'acme' });
    refused(() => checkClaims(GITHUB, { workflow: 'release' }), /repository or repository_owner/);
    refused(() => checkClaims(GITHUB, { repository: '*/app' }), /repository or repository_owner/);
    checkClaims('https://idp.example', { sub: 'ci-bot' });
    refused(() => checkClaims('https://idp.example', { sub: '*', aud: '**' }), /not only wildcards/);
  });

  it('tells an identifying glob from one that names nobody', () => {
    assert.equal(conditionIdentifies('acme/app'), true);
    assert.equal(conditionIdentifies('acme/*'), true);
    assert.equal(conditionIdentifies('acme*'), false);
    assert.equal(conditionIdentifies('*'), false);
    assert.equal(conditionIdentifies('*/acme'), false);
  });

  it('checks the audience and the name pattern', () => {
    assert.deepEqual(validatedPublisher(fields({ package_type: 'npm', package_name_pattern: '@acme/*' }), { allowInsecureIssuers: false }).package_name_pattern, '@acme/*');
    refused(() => validatedPublisher(fields({ audience: '' }), { allowInsecureIssuers: false }), /audience/);
    refused(() => validatedPublisher(fields({ audience: 'a b' }), { allowInsecureIssuers: false }), /audience/);
    refused(() => validatedPublisher(fields({ package_name_pattern: 'a b' }), { allowInsecureIssuers: false }), /package_name_pattern/);
  });
});
