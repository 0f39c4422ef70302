import { deflateSync, gzipSync } from 'node:zlib';
import { dump, RubyObject } from '@hyrious/marshal';
import type { GemRequirement, GemSpec } from './rubygems-gem.js';

// The quick spec gem install fetches (/quick/Marshal.4.8/<full name>.gemspec.rz): the zlib
// deflate of Marshal.dump(Gem::Specification). A Gem::Specification marshals through its _dump:
// a user-defined object ('u') whose bytes are Marshal.dump of the 19-element array that
// Gem::Specification._load reads back; Gem::Version and Gem::Requirement marshal through
// marshal_dump ('U'), Gem::Dependency as a plain object with its instance variables.

const symbol = (name: string) => Symbol.for(name);

/** A Ruby object of `className` with these instance variables (names without '@'). */
function object(className: string, ivars: Record<string, unknown>): RubyObject {
  const value = new RubyObject(symbol(className)) as RubyObject & Record<symbol, unknown>;
  for (const [name, ivar] of Object.entries(ivars)) value[symbol(`@${name}`)] = ivar;
  return value;
}

/** An object marshalled through marshal_dump: Marshal.load calls marshal_load(data) on a new instance. */
function userMarshal(className: string, data: unknown): RubyObject {
  const value = new RubyObject(symbol(className));
  value.userMarshal = data;
  return value;
}

const gemVersion = (version: string) => userMarshal('Gem::Version', [version]);
const gemRequirement = (requirement: GemRequirement) => userMarshal('Gem::Requirement', [requirement.map(([operator, version]) => [operator, gemVersion(version)])]);

/** The array Gem::Specification#_dump writes and Gem::Specification._load reads, in its order. */
function specificationArray(spec: GemSpec): unknown[] {
  return [
    spec.rubygemsVersion,
    spec.specificationVersion,
    spec.name,
    gemVersion(spec.version),
    // Gem::Specification#date= takes "YYYY-MM-DD" (nil means today): no Ruby Time to marshal.
    spec.date,
    spec.summary,
    gemRequirement(spec.requiredRubyVersion),
    gemRequirement(spec.requiredRubygemsVersion),
    spec.platform,
    spec.dependencies.map((dependency) =>
      object('Gem::Dependency', {
        name: dependency.name,
        requirement: gemRequirement(dependency.requirement),
        type: symbol(dependency.type),
        prerelease: false,
      }),
    ),
    '', // rubyforge_project, kept in the array after its removal
    spec.email,
    spec.authors,
    spec.description,
    spec.homepage,
    true, // has_rdoc
    spec.platform,
    spec.licenses,
    spec.metadata,
  ];
}

/** Marshal.dump(spec) as Ruby 1.8+ (format 4.8) writes it. */
export function marshalSpecification(spec: GemSpec): Buffer {
  const specification = new RubyObject(symbol('Gem::Specification'));
  specification.userDefined = dump(specificationArray(spec));
  return Buffer.from(dump(specification));
}

/** The `.gemspec.rz` body: zlib deflate (not gzip) of the marshalled specification. */
export function quickSpec(spec: GemSpec): Buffer {
  return deflateSync(marshalSpecification(spec));
}

/** A gem as the legacy indexes list it: name, version, platform. */
export interface GemTuple {
  name: string;
  version: string;
  platform: string;
}

/**
 * specs.4.8.gz, latest_specs.4.8.gz and prerelease_specs.4.8.gz: gzip of Marshal.dump of
 * [[name, Gem::Version, platform], ...], which gem fetch and gem install without the compact index read.
 */
export function specsIndex(tuples: GemTuple[]): Buffer {
  return gzipSync(dump(tuples.map((t) => [t.name, gemVersion(t.version), t.platform])));
}

/**
 * The dependency API's answer (GET api/v1/dependencies?gems=a,b): Marshal.dump of
 * [{name:, number:, platform:, dependencies: [[name, "~> 0.1, >= 0.1.2"], ...]}, ...], symbol
 * keys, runtime dependencies only, as rubygems.org and GitLab answer.
 */
export function dependencyList(gems: Array<{ spec: GemSpec }>): Buffer {
  const entries = gems.map(({ spec }) => ({
    name: spec.name,
    number: spec.version,
    platform: spec.platform,
    dependencies: spec.dependencies
      .filter((dependency) => dependency.type === 'runtime')
      .map((dependency) => [dependency.name, dependency.requirement.map(([operator, version]) => `${operator} ${version}`).join(', ')]),
  }));
  return Buffer.from(dump(entries, { hashStringKeysToSymbol: true }));
}
