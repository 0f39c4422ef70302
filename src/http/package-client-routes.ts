import type { FastifyInstance, FastifyRequest } from 'fastify';

// Which routes are package-client endpoints (npm, PyPI, generic, ...) is declared on the route, not
// guessed from the URL: every route a format registers carries `config.packageClient`, and the
// auth hook reads it from the route the request matched. A pattern over the raw URL misses
// percent-encoded paths (`/packages/%6epm/...`), which the router decodes and matches (SPEC 7).

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A package-client endpoint: tokens only, never the web session cookie. */
    packageClient?: boolean;
  }
}

/** Registers `register`'s routes in a context that marks each of them a package-client endpoint. */
export async function registerPackageClientRoutes(app: FastifyInstance, register: (scope: FastifyInstance) => Promise<void>): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, packageClient: true };
    });
    await register(scope);
  });
}

/** Whether the route the request matched is a package-client endpoint. */
export function isPackageClientRoute(request: FastifyRequest): boolean {
  return request.routeOptions.config.packageClient === true;
}
