import type { FastifyRequest } from 'fastify';
import type { PackageFormat } from '../formats/format.js';
import type { Api } from './api.js';
import type { AppContext } from './app-context.js';

// Which routes are package-client endpoints is declared on the route, not guessed from the URL:
// every route a format registers carries `config.packageClient`, and the auth hook reads it from
// the route the request matched. A pattern over the raw URL misses percent-encoded paths
// (`/packages/%6epm/...`), which the router decodes and matches (docs/architecture.md, "Bad input
// and limits"). The same holds for a format's own credential headers: declared on its routes,
// read from the matched route only.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A package-client endpoint: tokens only, never the web session cookie. */
    packageClient?: boolean;
    /** Credential headers beyond GitLab's that this route accepts (lowercase), from its format's declaration. */
    credentialHeaders?: readonly string[];
  }
}

/** Registers the format's routes in a context that marks each of them a package-client endpoint of that format. */
export async function registerPackageClientRoutes(app: Api, ctx: AppContext, format: PackageFormat): Promise<void> {
  await app.register(async (scope: Api) => {
    markPackageClientRoutes(scope, format.credentialHeaders);
    await format.register(scope, ctx);
  });
}

/** Marks every route registered in `scope` from now on a package-client endpoint accepting these extra credential headers. */
export function markPackageClientRoutes(scope: Api, extraCredentialHeaders: readonly string[]): void {
  const credentialHeaders = extraCredentialHeaders.map((header) => header.toLowerCase());
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, packageClient: true, credentialHeaders };
  });
}

/** Whether the route the request matched is a package-client endpoint. */
export function isPackageClientRoute(request: FastifyRequest): boolean {
  return request.routeOptions.config.packageClient === true;
}

/** The format credential headers the matched route accepts: none outside a format's own routes. */
export function routeCredentialHeaders(request: FastifyRequest): readonly string[] {
  return request.routeOptions.config.credentialHeaders ?? [];
}
