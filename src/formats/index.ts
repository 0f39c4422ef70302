import type { PackageFormat } from './format.js';
import { genericFormat } from './generic/generic-routes.js';
import { npmFormat } from './npm/npm-routes.js';
import { pypiFormat } from './pypi/pypi-routes.js';

/** Every package format Trove serves. */
export const FORMATS: PackageFormat[] = [npmFormat, pypiFormat, genericFormat];
