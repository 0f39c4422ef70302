import type { Api } from '../http/api.js';
import type { AppContext } from '../http/app-context.js';
import type { BooleanFormatSetting, FormatSetting, RegexFormatSetting } from '../core/packages/format-settings.js';
import type { InstructionStep } from '../contracts/package-formats.js';

/**
 * A package format: everything about it lives in its folder under src/formats/<name>/ and is
 * declared by one PackageFormat object (<name>-format.ts) listed in formats/index.ts. Nothing in
 * http/, core/ or web/ names a format: they read this declaration. docs/adding-a-format.md is
 * the checklist for a new one.
 */
export interface PackageFormat {
  /** The `package_type` stored on packages and shown in the API ("npm", "pypi", ...): lowercase letters and digits. */
  name: string;
  /** How people write it ("PyPI", "Generic"): the web UI's filters and labels. */
  displayName: string;
  /**
   * Registers the format's routes. The server calls it through registerPackageClientRoutes
   * (src/http/package-client-routes.ts), which declares on every one of them that it is a
   * package-client endpoint (tokens only, never the web session cookie) and which extra
   * credential headers it reads. Each route declares the schemas of its path parameters and query
   * string (src/formats/format-schemas.ts), from which its handler's input types are derived.
   */
  register(app: Api, ctx: AppContext): Promise<void>;
  /**
   * REST API routes of the format, beside the client protocol (Debian's distributions under
   * /api/v4/projects/:id/debian_distributions): registered with the other REST routes (web sessions
   * accepted, GitLab's error bodies), not as package-client endpoints. Most formats have none.
   */
  registerApi?(app: Api, ctx: AppContext): void;
  /**
   * Credential headers the format's clients send beyond GitLab's (PRIVATE-TOKEN, JOB-TOKEN,
   * Deploy-Token, Authorization), lowercase: NuGet's `x-nuget-apikey`. Honoured only on this
   * format's own routes. `authorization` takes the token bare in that header, with no scheme (gem
   * push's `Authorization: <key>`); Bearer and Basic keep their meaning.
   */
  credentialHeaders: readonly string[];
  /** Name, version and file-name rules: each returns the valid value or throws a 400. */
  names: FormatNames;
  /**
   * Whether a file of a version may be replaced in place (PackageWriter.replaceFile): true only
   * where the protocol does so (Maven metadata, SNAPSHOTs) or a setting allows it.
   */
  replacesFiles: boolean;
  /**
   * Settings of the format per namespace (yes/no, or a regular expression), inherited downwards, served and changed with the
   * other package settings under /groups/:id/packages/settings (and /namespaces/:id/...).
   */
  settings: readonly FormatSetting[];
  /** Install and publish steps, served by the API (GET .../packages/:package_id/instructions, GET /package_formats). */
  instructions: FormatInstructions;
  /**
   * For formats whose clients publish provenance (docs/api.md#provenance): the URL where the
   * format's clients fetch a file's provenance (npm's attestations document, PEP 740's provenance
   * object). The package page links to it.
   */
  provenanceUrl?(target: FileTarget): string;
}

export interface FileTarget extends ProjectTarget {
  name: string;
  version: string;
  fileName: string;
  sha256: string;
}

export interface FormatNames {
  /** The name packages of this format are looked up by (PEP 503 for PyPI; the name itself elsewhere). */
  normalize(name: string): string;
  assertName(name: unknown): string;
  assertVersion(version: unknown): string;
  /** For formats whose client chooses file names; others derive them (npm: <name>-<version>.tgz). */
  assertFileName(fileName: unknown): string;
}

export type { BooleanFormatSetting, FormatSetting, RegexFormatSetting };

export type { InstructionStep };

export interface ProjectTarget {
  /** The instance's public base URL (TROVE_BASE_URL), no trailing slash. */
  baseUrl: string;
  projectId: number;
}

export interface PackageTarget extends ProjectTarget {
  name: string;
  version: string;
  /** The version's file names, for formats that download file by file. */
  fileNames: string[];
}

export interface FormatInstructions {
  install(target: PackageTarget): InstructionStep[];
  publish(target: ProjectTarget): InstructionStep[];
}

/** `<TOKEN>` stays a placeholder: a token is shown once at creation, and a read-only one is what an installer should use. */
export const TOKEN_PLACEHOLDER = '<TOKEN>';

/** The project's package API root, where every format's project-level endpoints live. */
export const projectPackagesUrl = ({ baseUrl, projectId }: ProjectTarget) => `${baseUrl}/api/v4/projects/${projectId}/packages`;
