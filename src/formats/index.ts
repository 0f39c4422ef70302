import { cargoFormat } from './cargo/cargo-format.js';
import { composerFormat } from './composer/composer-format.js';
import type { PackageFormat } from './format.js';
import { debianFormat } from './debian/debian-format.js';
import { genericFormat } from './generic/generic-format.js';
import { goFormat } from './go/go-format.js';
import { mavenFormat } from './maven/maven-format.js';
import { npmFormat } from './npm/npm-format.js';
import { pypiFormat } from './pypi/pypi-format.js';
import { rubygemsFormat } from './rubygems/rubygems-format.js';

/** Every package format Trove serves, in the order the web UI lists them: the one list a new format is added to. */
export const FORMATS: readonly PackageFormat[] = [npmFormat, pypiFormat, mavenFormat, goFormat, composerFormat, rubygemsFormat, cargoFormat, debianFormat, genericFormat];

/** The format named `name` (a package's `format` column, a `package_type` filter), if Trove serves it. */
export function formatNamed(name: string): PackageFormat | undefined {
  return FORMATS.find((format) => format.name === name);
}
