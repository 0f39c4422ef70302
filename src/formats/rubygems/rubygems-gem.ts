import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { errors } from '../../core/errors.js';
import { lazyRequire } from '../../lazy-module.js';
import { assertSafeEntryName, readEntries } from '../tar-entries.js';
import { assertGemName, assertGemPlatform, assertGemVersion } from './rubygems-names.js';

const yamlLibrary = lazyRequire<typeof import('yaml')>('yaml');

// A .gem is a plain (uncompressed) tar holding metadata.gz (the gzipped YAML of the
// Gem::Specification, with Ruby's !ruby/object:Gem::... tags), data.tar.gz (the files) and
// checksums.yaml.gz; signed gems add .sig entries. Only metadata.gz is read: the rest streams past.

const MAX_METADATA_GZ_BYTES = 1024 * 1024;
const MAX_METADATA_YAML_BYTES = 8 * 1024 * 1024;

/** A version requirement as RubyGems keeps it: [operator, version] pairs ("~>", "0.1"). */
export type GemRequirement = Array<[string, string]>;

export interface GemDependency {
  name: string;
  requirement: GemRequirement;
  /** "runtime" or "development" (Gem::Dependency#type). */
  type: 'runtime' | 'development';
}

/** What Trove keeps of a gem's specification: what /info and the quick spec (.gemspec.rz) serve. */
export interface GemSpec {
  name: string;
  version: string;
  platform: string;
  summary: string;
  description: string | null;
  authors: string[];
  email: string | string[] | null;
  homepage: string | null;
  licenses: string[];
  metadata: Record<string, string>;
  /** YYYY-MM-DD, or null when the specification has none. */
  date: string | null;
  rubygemsVersion: string;
  specificationVersion: number;
  requiredRubyVersion: GemRequirement;
  requiredRubygemsVersion: GemRequirement;
  dependencies: GemDependency[];
}

/** Told the name and version a specification claims before they are checked (what a refusal is audited with). */
export type GemIdentityListener = (name: string | null, version: string | null) => void;

const OPERATORS = new Set(['=', '!=', '>', '<', '>=', '<=', '~>']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : typeof value === 'string' && value !== '' ? [value] : []);

function invalidSpec(what: string): never {
  throw errors.badRequest(`Invalid gem specification: ${what}`);
}

/** A Gem::Requirement (`requirements: [[op, {version}], ...]`); absent means ">= 0". */
function requirementOf(value: unknown, what: string): GemRequirement {
  if (value === undefined || value === '') return [['>=', '0']];
  const list = isObject(value) ? value.requirements : undefined;
  if (!Array.isArray(list) || list.length === 0 || list.length > 64) invalidSpec(`${what} is not a requirement`);
  return list.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) invalidSpec(`${what} is not a requirement`);
    const [operator, version] = pair as unknown[];
    const versionText = isObject(version) ? version.version : version;
    if (typeof operator !== 'string' || !OPERATORS.has(operator)) invalidSpec(`${what} has an unknown operator`);
    if (typeof versionText !== 'string' || !/^[0-9A-Za-z.-]{1,128}$/.test(versionText)) invalidSpec(`${what} has an invalid version`);
    return [operator, versionText] as [string, string];
  });
}

function dependencyOf(value: unknown): GemDependency {
  if (!isObject(value)) invalidSpec('a dependency is not a Gem::Dependency');
  const name = assertGemName(value.name);
  const type = value.type === ':development' ? 'development' : 'runtime';
  return { name, requirement: requirementOf(value.requirement, `the requirement on ${name}`), type };
}

/** The Gem::Specification YAML of metadata.gz (Ruby tags are read as plain mappings, every scalar as text). */
export function specFromYaml(yaml: string, onIdentity: GemIdentityListener = () => undefined): GemSpec {
  const doc = yamlLibrary().parseDocument(yaml, { schema: 'failsafe', logLevel: 'silent', uniqueKeys: false });
  if (doc.errors.length > 0) invalidSpec(`metadata is not YAML (${doc.errors[0].message.split('\n')[0]})`);
  const spec: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isObject(spec)) invalidSpec('metadata is not a Gem::Specification');
  const version = isObject(spec.version) ? spec.version.version : undefined;
  onIdentity(typeof spec.name === 'string' ? spec.name : null, typeof version === 'string' ? version : null);
  const dependencies = spec.dependencies === undefined || spec.dependencies === '' ? [] : spec.dependencies;
  if (!Array.isArray(dependencies) || dependencies.length > 1000) invalidSpec('dependencies is not a list');
  const metadata = isObject(spec.metadata) ? Object.fromEntries(Object.entries(spec.metadata).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  const date = typeof spec.date === 'string' ? /^\d{4}-\d{2}-\d{2}/.exec(spec.date)?.[0] ?? null : null;
  const specificationVersion = Number(spec.specification_version);
  return {
    name: assertGemName(spec.name),
    version: assertGemVersion(version),
    platform: assertGemPlatform(spec.platform),
    summary: text(spec.summary) ?? '',
    description: text(spec.description),
    authors: texts(spec.authors),
    email: Array.isArray(spec.email) ? texts(spec.email) : text(spec.email),
    homepage: text(spec.homepage),
    licenses: texts(spec.licenses),
    metadata,
    date,
    rubygemsVersion: text(spec.rubygems_version) ?? '0',
    specificationVersion: Number.isInteger(specificationVersion) ? specificationVersion : 4,
    requiredRubyVersion: requirementOf(spec.required_ruby_version, 'required_ruby_version'),
    requiredRubygemsVersion: requirementOf(spec.required_rubygems_version, 'required_rubygems_version'),
    dependencies: dependencies.map(dependencyOf),
  };
}

/**
 * Reads a .gem (streamed, so a large one is never held in memory) and returns its specification.
 * Anything that is not a gem (not a tar, no metadata.gz or data.tar.gz, links, unsafe paths, a
 * specification gem itself would refuse) is a 400.
 */
export async function readGemSpec(gem: Readable | Buffer, onIdentity?: GemIdentityListener): Promise<GemSpec> {
  const extract = tar.extract();
  let metadata: Buffer | null = null;
  let hasData = false;
  readEntries(extract, {
    accept(header) {
      assertSafeEntryName(header.name, 'Gem');
      if (header.type !== 'file') throw errors.badRequest(`Gem entry "${header.name}" is a ${header.type}, not a file`);
      if (header.name === 'data.tar.gz') hasData = true;
      return header.name === 'metadata.gz' ? MAX_METADATA_GZ_BYTES : 0;
    },
    kept: (_name, data) => (metadata = data),
    tooLarge: () => errors.badRequest('metadata.gz in the gem is too large'),
  });
  try {
    await pipeline(Buffer.isBuffer(gem) ? Readable.from([gem]) : gem, extract);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode) throw error;
    throw errors.badRequest(`Not a valid gem (a tar archive): ${(error as Error).message}`);
  }
  if (metadata === null || !hasData) throw errors.badRequest('Not a valid gem: it has no metadata.gz or no data.tar.gz');
  let yaml: string;
  try {
    yaml = gunzipSync(metadata, { maxOutputLength: MAX_METADATA_YAML_BYTES }).toString('utf8');
  } catch (error) {
    throw errors.badRequest(`Not a valid gem: metadata.gz does not unpack (${(error as Error).message})`);
  }
  return specFromYaml(yaml, onIdentity);
}
