import type { ClientInfo, Via } from './audit-types.js';

// Package clients we recognise by the first product token of their User-Agent
// ("npm/11.19.1 node/v20.20.2 linux x64 workspaces/false", "twine/4.0.2 ...", "Apache-Maven/3.8.7 (...)").
// Maven 3.8 configured with <httpHeaders> (a token header instead of a password) says only
// "Apache-HttpClient/4.5.14 (Java/17...)": its HTTP library.
const PACKAGE_CLIENTS = new Set([
  'npm', 'pnpm', 'yarn', 'bun', 'pip', 'twine', 'poetry', 'uv', 'pdm', 'Apache-Maven', 'Apache-HttpClient', 'Gradle',
  'Ruby', 'RubyGems', 'bundler', 'cargo', 'Go-http-client', 'Composer', 'NuGet',
  // apt says "Debian APT-HTTP/1.3 (2.6.1)" (parseClient keeps the two words together).
  'Debian APT-HTTP', 'dput',
  // Container clients: skopeo, podman and buildah (containers/image), docker and containerd, oras, crane.
  'skopeo', 'containers', 'podman', 'buildah', 'docker', 'containerd', 'oras', 'go-containerregistry',
]);

const PRODUCT = /^([A-Za-z][A-Za-z0-9._+-]*)(?:\/([^\s;()]+))?/;
// apt's User-Agent puts its product after the word "Debian" (or its vendor's): "Debian APT-HTTP/1.3 (2.6.1)".
const APT = /^([A-Za-z]+ APT-[A-Z]+)\/([^\s;()]+)/;

// Every browser starts with "Mozilla/5.0"; the browser itself is a later token, most specific first
// (Edge and Opera also say Chrome; Chrome also says Safari). Safari's version is in "Version/".
const BROWSERS: Array<[name: string, pattern: RegExp]> = [
  ['Edge', /\bEdg\/([\d.]+)/],
  ['Opera', /\bOPR\/([\d.]+)/],
  ['Firefox', /\bFirefox\/([\d.]+)/],
  ['HeadlessChrome', /\bHeadlessChrome\/([\d.]+)/],
  ['Chrome', /\bChrome\/([\d.]+)/],
  ['Safari', /\bVersion\/([\d.]+).*\bSafari\//],
];

export function parseClient(userAgent: string | null | undefined): ClientInfo | null {
  if (!userAgent) return null;
  const apt = APT.exec(userAgent.trim());
  if (apt) return { name: apt[1], version: apt[2] };
  const match = PRODUCT.exec(userAgent.trim());
  if (!match) return null;
  // gem 3.3 sends "Ruby, RubyGems/3.3.15 x86_64-linux Ruby/3.1.2 (...)": Net::HTTP's bare default,
  // then its own. A bare product followed by a comma gives way to the product after it.
  const rest = userAgent.trim().slice(match[0].length);
  if (match[2] === undefined && /^,\s*\S/.test(rest)) return parseClient(rest.replace(/^,\s*/, '')) ?? { name: match[1], version: null };
  if (match[1] === 'Mozilla') {
    for (const [name, pattern] of BROWSERS) {
      const browser = pattern.exec(userAgent);
      if (browser) return { name, version: browser[1] };
    }
  }
  return { name: match[1], version: match[2] ?? null };
}

export function isPackageClient(client: ClientInfo | null): boolean {
  return client !== null && PACKAGE_CLIENTS.has(client.name);
}

/**
 * How the change arrived. Job tokens always mean a pipeline; npm ("ci/gitlab") and pip
 * ("ci":true) also say so themselves when a deploy token or PAT is used from CI.
 */
export function viaFor(options: { jobToken: boolean; webSession: boolean; userAgent: string | null; client: ClientInfo | null }): Via {
  if (options.jobToken) return 'pipeline';
  if (options.userAgent && /(^|\s)ci\/[^\s]+/.test(options.userAgent)) return 'pipeline';
  // pip reports CI inside the JSON blob of its User-Agent.
  if (options.userAgent && /"ci":\s*true/.test(options.userAgent)) return 'pipeline';
  if (options.webSession) return 'web';
  return isPackageClient(options.client) ? 'package_client' : 'api';
}
