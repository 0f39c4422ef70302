import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/app-context.js';

/**
 * A package format: a folder under src/formats/ with the same file names in each
 * (<fmt>-routes.ts, <fmt>-metadata.ts, <fmt>-names.ts). Adding a format means adding a
 * folder and listing it in formats/index.ts, never editing a central switch.
 */
export interface PackageFormat {
  /** The `package_type` stored on packages and shown in the API ("npm", "pypi", ...). */
  name: string;
  /**
   * Registers the format's routes inside its own encapsulated Fastify context. The server calls it
   * through registerPackageClientRoutes (src/http/package-client-routes.ts), which marks every one
   * of them a package-client endpoint: tokens only, never the web session cookie.
   */
  register(app: FastifyInstance, ctx: AppContext): Promise<void>;
}
