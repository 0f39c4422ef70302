import { createHash } from 'node:crypto';
import type { GemRequirement, GemSpec } from './rubygems-gem.js';
import { RUBY_PLATFORM } from './rubygems-names.js';

// The compact index (https://guides.rubygems.org/compact-index-api/): /info/<name> has one line
// per gem file, `<version>[-<platform>] <dep>:<req>&<req>,...|checksum:<sha256>,ruby:<req>,rubygems:<req>`;
// /versions has one line per gem, `<name> <version>,... <md5 of its /info>`, which bundler
// compares with its cached /info before fetching it again.

/** One gem file as the index lists it: its specification and the sha256 of the .gem. */
export interface IndexedGem {
  spec: GemSpec;
  sha256: string;
}

const requirementText = (requirement: GemRequirement) => requirement.map(([operator, version]) => `${operator} ${version}`).join('&');
const isDefault = (requirement: GemRequirement) => requirement.length === 1 && requirement[0][0] === '>=' && requirement[0][1] === '0';
const versionText = (spec: GemSpec) => (spec.platform === RUBY_PLATFORM ? spec.version : `${spec.version}-${spec.platform}`);

/** The /info/<name> document: its gems in publication order (clients pick by version themselves). */
export function infoDocument(gems: IndexedGem[]): string {
  const lines = gems.map(({ spec, sha256 }) => {
    const dependencies = spec.dependencies.filter((d) => d.type === 'runtime').map((d) => `${d.name}:${requirementText(d.requirement)}`);
    const requirements = [`checksum:${sha256}`];
    if (!isDefault(spec.requiredRubyVersion)) requirements.push(`ruby:${requirementText(spec.requiredRubyVersion)}`);
    if (!isDefault(spec.requiredRubygemsVersion)) requirements.push(`rubygems:${requirementText(spec.requiredRubygemsVersion)}`);
    return `${versionText(spec)} ${dependencies.join(',')}|${requirements.join(',')}\n`;
  });
  return `---\n${lines.join('')}`;
}

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The /versions document: each gem's versions and the md5 of its /info document. */
export function versionsDocument(createdAt: string, gems: Array<{ name: string; versions: string[]; info: string }>): string {
  const lines = gems.map((gem) => `${gem.name} ${gem.versions.join(',')} ${md5(gem.info)}\n`);
  return `created_at: ${createdAt}\n---\n${lines.join('')}`;
}

export { versionText };
