import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPackageClient, parseClient, viaFor } from './user-agent.js';

// User-Agent strings as the real clients send them (captured from the clients' own sources and traffic).
const UA = {
  npm: 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false',
  npmCi: 'npm/11.6.2 node/v20.19.5 linux x64 workspaces/false ci/gitlab',
  pnpm: 'pnpm/9.15.4 npm/? node/v20.19.5 linux x64',
  yarn: 'yarn/1.22.22 npm/? node/v20.19.5 linux x64',
  pip:
    'pip/23.0.1 {"ci":null,"cpu":"x86_64","distro":{"id":"bookworm","libc":{"lib":"glibc","version":"2.36"},"name":"Debian GNU/Linux","version":"12"},' +
    '"implementation":{"name":"CPython","version":"3.11.2"},"installer":{"name":"pip","version":"23.0.1"},"openssl_version":"OpenSSL 3.0.11 19 Sep 2023",' +
    '"python":"3.11.2","setuptools_version":"66.1.1","system":{"name":"Linux","release":"6.1.0-13-amd64"}}',
  twine: 'twine/4.0.2 requests/2.31.0 requests-toolbelt/1.0.0 urllib3/2.0.7 tqdm/4.66.1 importlib-metadata/6.8.0 keyring/24.2.0 rfc3986/2.0.0 colorama/0.4.6 CPython/3.11.2',
  maven: 'Apache-Maven/3.9.6 (Java 17.0.9; Linux 6.1.0-13-amd64)',
  curl: 'curl/8.5.0',
  browser: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
};

function via(userAgent: string | null, options: { jobToken?: boolean; webSession?: boolean } = {}) {
  return viaFor({ jobToken: options.jobToken ?? false, webSession: options.webSession ?? false, userAgent, client: parseClient(userAgent) });
}

describe('parseClient', () => {
  it('reads name and version of the package clients', () => {
    assert.deepEqual(parseClient(UA.npm), { name: 'npm', version: '11.6.2' });
    assert.deepEqual(parseClient(UA.npmCi), { name: 'npm', version: '11.6.2' });
    assert.deepEqual(parseClient(UA.pnpm), { name: 'pnpm', version: '9.15.4' });
    assert.deepEqual(parseClient(UA.yarn), { name: 'yarn', version: '1.22.22' });
    assert.deepEqual(parseClient(UA.twine), { name: 'twine', version: '4.0.2' });
    assert.deepEqual(parseClient(UA.maven), { name: 'Apache-Maven', version: '3.9.6' });
    assert.deepEqual(parseClient(UA.curl), { name: 'curl', version: '8.5.0' });
    assert.deepEqual(parseClient('Debian APT-HTTP/1.3 (2.6.1)'), { name: 'Debian APT-HTTP', version: '1.3' });
    assert.equal(isPackageClient(parseClient('Debian APT-HTTP/1.3 (2.6.1)')), true);
  });

  it('names the browser behind "Mozilla/5.0" (web UI sessions)', () => {
    assert.deepEqual(parseClient(UA.browser), { name: 'Firefox', version: '128.0' });
    const chrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    assert.deepEqual(parseClient(chrome), { name: 'Chrome', version: '131.0.0.0' });
    assert.deepEqual(parseClient(`${chrome} Edg/131.0.2903.86`), { name: 'Edge', version: '131.0.2903.86' });
    const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
    assert.deepEqual(parseClient(safari), { name: 'Safari', version: '18.1' });
    assert.deepEqual(parseClient('Mozilla/5.0 (compatible; SomeBot)'), { name: 'Mozilla', version: '5.0' });
  });

  it('stops pip\'s version before its JSON blob', () => {
    assert.deepEqual(parseClient(UA.pip), { name: 'pip', version: '23.0.1' });
  });

  it('reads gem past the bare "Ruby, " Net::HTTP puts before it', () => {
    assert.deepEqual(parseClient('Ruby, RubyGems/3.3.15 x86_64-linux Ruby/3.1.2 (2022-04-12 patchlevel 20)'), { name: 'RubyGems', version: '3.3.15' });
    assert.deepEqual(parseClient('Ruby'), { name: 'Ruby', version: null });
  });

  it('keeps a product without a version', () => {
    assert.deepEqual(parseClient('Go-http-client'), { name: 'Go-http-client', version: null });
    assert.deepEqual(parseClient('  curl/7.88.1  '), { name: 'curl', version: '7.88.1' });
  });

  it('returns null for an empty or unparseable User-Agent', () => {
    assert.equal(parseClient(''), null);
    assert.equal(parseClient('   '), null);
    assert.equal(parseClient(null), null);
    assert.equal(parseClient(undefined), null);
    assert.equal(parseClient('{"json":"first"}'), null);
    assert.equal(parseClient('/1.0'), null);
  });

  it('tells package clients from other HTTP clients', () => {
    for (const ua of [UA.npm, UA.pnpm, UA.yarn, UA.pip, UA.twine, UA.maven]) assert.equal(isPackageClient(parseClient(ua)), true, ua);
    for (const ua of [UA.curl, UA.browser, '']) assert.equal(isPackageClient(parseClient(ua)), false, ua);
    assert.equal(isPackageClient({ name: 'NPM', version: null }), false, 'names are case-sensitive product tokens');
  });
});

describe('viaFor', () => {
  it('says package_client for package managers outside CI', () => {
    for (const ua of [UA.npm, UA.pnpm, UA.yarn, UA.pip, UA.twine, UA.maven]) assert.equal(via(ua), 'package_client', ua);
  });

  it('says pipeline when pip reports "ci":true in its JSON blob', () => {
    assert.equal(via(UA.pip.replace('"ci":null', '"ci":true')), 'pipeline');
  });

  it('says pipeline when npm reports ci/<name>, whatever the credential', () => {
    assert.equal(via(UA.npmCi), 'pipeline');
    assert.equal(via('npm/10.9.2 node/v22.12.0 darwin arm64 workspaces/true ci/github-actions'), 'pipeline');
  });

  it('does not mistake "ci" inside another token for a CI marker', () => {
    assert.equal(via('npm/11.6.2 node/v20.19.5 linux x64 workspaces/false magic/1.0'), 'package_client');
    assert.equal(via('curl/8.5.0 (x86_64) libci/2'), 'api');
  });

  it('says pipeline for every job token, even from curl or without a User-Agent', () => {
    assert.equal(via(UA.curl, { jobToken: true }), 'pipeline');
    assert.equal(via(null, { jobToken: true }), 'pipeline');
    assert.equal(via(UA.npm, { jobToken: true }), 'pipeline');
  });

  it('says web for browser sessions and api for everything else', () => {
    assert.equal(via(UA.browser, { webSession: true }), 'web');
    assert.equal(via(UA.browser), 'api');
    assert.equal(via(UA.curl), 'api');
    assert.equal(via(''), 'api');
    assert.equal(via(null), 'api');
  });
});
