import { errors } from '../../core/errors.js';
import { assertCrateName, assertCrateVersion } from './cargo-names.js';

// The JSON a `cargo publish` sends (https://doc.rust-lang.org/cargo/reference/registry-web-api.html#publish)
// and the index entry made of it (https://doc.rust-lang.org/cargo/reference/registry-index.html#json-schema).
// What the index serves is kept with the .crate file (its metadata column), the descriptive
// fields with the version, so the index is rendered from stored rows without reading archives.

export type DependencyKind = 'normal' | 'dev' | 'build';

/** A dependency as the index lists it. */
export interface IndexDependency {
  /** The name the depending crate uses (its rename, when it renamed the dependency). */
  name: string;
  req: string;
  features: string[];
  optional: boolean;
  default_features: boolean;
  target: string | null;
  kind: DependencyKind;
  /** The index URL of another registry; absent: this one. */
  registry?: string;
  /** The crate's real name, when `name` is a rename. */
  package?: string;
}

/** What the index line of a version holds besides its name, version, checksum and yank. */
export interface IndexFields {
  deps: IndexDependency[];
  features: Record<string, string[]>;
  /** Features using `dep:` or `?/` syntax, which cargo before 1.60 cannot read: kept apart, as crates.io does. */
  features2?: Record<string, string[]>;
  links: string | null;
  rust_version?: string;
  /** 2 when features2 is present. */
  v: 1 | 2;
}

/** The descriptive fields kept with the version (web UI, API). */
export interface CrateDescription {
  description: string | null;
  license: string | null;
  repository: string | null;
  homepage: string | null;
  documentation: string | null;
  keywords: string[];
  categories: string[];
  authors: string[];
}

export interface PublishedCrate {
  name: string;
  version: string;
  index: IndexFields;
  description: CrateDescription;
}

const MAX_DEPENDENCIES = 500;
const MAX_FEATURES = 300;
const MAX_TEXT = 1024;
// A version requirement ("^1.2", ">= 1, < 2", "*", "=0.3.1-alpha"): what cargo writes, nothing that could break out of JSON or a path.
const REQUIREMENT = /^[0-9A-Za-z.*^~<>=, +-]{1,256}$/;
// A target: a triple or a cfg() expression.
const TARGET = /^[\x20-\x7e]{1,256}$/;
const FEATURE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.-]{0,99}$/;
const FEATURE_VALUE = /^[A-Za-z0-9_:/?+.-]{1,200}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(what: string): never {
  throw errors.badRequest(`Invalid publish metadata: ${what}`);
}

function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 64 * 1024) invalid(`${what} is not text`);
  return value;
}

function textList(value: unknown, what: string, max = 100): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string' && v.length <= MAX_TEXT)) invalid(`${what} is not a list of text`);
  return value as string[];
}

function dependencyOf(value: unknown): IndexDependency {
  if (!isObject(value)) invalid('a dependency is not an object');
  const crate = assertCrateName(value.name);
  const rename = value.explicit_name_in_toml === undefined || value.explicit_name_in_toml === null ? null : assertCrateName(value.explicit_name_in_toml);
  if (typeof value.version_req !== 'string' || !REQUIREMENT.test(value.version_req)) invalid(`the requirement on ${crate} is not a version requirement`);
  const kind = value.kind ?? 'normal';
  if (kind !== 'normal' && kind !== 'dev' && kind !== 'build') invalid(`the dependency ${crate} has an unknown kind`);
  const target = value.target ?? null;
  if (target !== null && (typeof target !== 'string' || !TARGET.test(target))) invalid(`the dependency ${crate} has an invalid target`);
  const registry = value.registry ?? null;
  if (registry !== null && (typeof registry !== 'string' || registry.length > MAX_TEXT || !/^(sparse\+)?https?:\/\/[\x21-\x7e]+$/.test(registry))) {
    invalid(`the dependency ${crate} names an invalid registry`);
  }
  const features = textList(value.features, `the features of ${crate}`, MAX_FEATURES);
  if (!features.every((f) => FEATURE_VALUE.test(f))) invalid(`the dependency ${crate} has an invalid feature`);
  return {
    name: rename ?? crate,
    req: value.version_req,
    features,
    optional: value.optional === true,
    default_features: value.default_features !== false,
    target,
    kind,
    ...(registry !== null ? { registry } : {}),
    ...(rename !== null ? { package: crate } : {}),
  };
}

/** The features map, split as crates.io splits it: those any old cargo reads, and the rest (`dep:`, `?/`). */
function featuresOf(value: unknown): { features: Record<string, string[]>; features2?: Record<string, string[]> } {
  if (value === undefined || value === null) return { features: {} };
  if (!isObject(value) || Object.keys(value).length > MAX_FEATURES) invalid('features is not a map of features');
  const features: Record<string, string[]> = {};
  const features2: Record<string, string[]> = {};
  for (const [name, enables] of Object.entries(value)) {
    if (!FEATURE_NAME.test(name)) invalid(`the feature name ${JSON.stringify(name.slice(0, 100))} is invalid`);
    const list = textList(enables, `the feature ${name}`, MAX_FEATURES);
    if (!list.every((f) => FEATURE_VALUE.test(f))) invalid(`the feature ${name} enables an invalid value`);
    const newSyntax = list.some((f) => f.startsWith('dep:') || f.includes('?/'));
    (newSyntax ? features2 : features)[name] = list;
  }
  return Object.keys(features2).length > 0 ? { features, features2 } : { features };
}

/** Checks a publish's metadata (its name and version first, told to `onIdentity` before anything can refuse them). */
export function publishedCrate(value: unknown, onIdentity: (name: string | null, version: string | null) => void = () => undefined): PublishedCrate {
  if (!isObject(value)) invalid('not a JSON object');
  onIdentity(typeof value.name === 'string' ? value.name : null, typeof value.vers === 'string' ? value.vers : null);
  const name = assertCrateName(value.name);
  const version = assertCrateVersion(value.vers);
  const deps = value.deps ?? [];
  if (!Array.isArray(deps) || deps.length > MAX_DEPENDENCIES) invalid('deps is not a list of dependencies');
  const links = optionalText(value.links, 'links');
  const rustVersion = optionalText(value.rust_version, 'rust_version');
  if (rustVersion !== null && !/^\d+(\.\d+){0,2}$/.test(rustVersion)) invalid('rust_version is not a Rust version');
  const { features, features2 } = featuresOf(value.features);
  return {
    name,
    version,
    index: {
      deps: deps.map(dependencyOf),
      features,
      ...(features2 ? { features2 } : {}),
      links,
      ...(rustVersion !== null ? { rust_version: rustVersion } : {}),
      v: features2 ? 2 : 1,
    },
    description: {
      description: optionalText(value.description, 'description'),
      license: optionalText(value.license, 'license'),
      repository: optionalText(value.repository, 'repository'),
      homepage: optionalText(value.homepage, 'homepage'),
      documentation: optionalText(value.documentation, 'documentation'),
      keywords: textList(value.keywords, 'keywords'),
      categories: textList(value.categories, 'categories'),
      authors: textList(value.authors, 'authors'),
    },
  };
}

/** One line of a crate's index file. */
export function indexLine(name: string, version: string, cksum: string, yanked: boolean, fields: IndexFields): string {
  return JSON.stringify({ name, vers: version, deps: fields.deps, cksum, features: fields.features, yanked, links: fields.links, v: fields.v, ...(fields.features2 ? { features2: fields.features2 } : {}), ...(fields.rust_version ? { rust_version: fields.rust_version } : {}) });
}
