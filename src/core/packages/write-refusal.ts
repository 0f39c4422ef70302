import type { Project } from '../accounts/projects.js';
import { TroveError } from '../errors.js';

/** The package a refused write was about, as a publish_denied event names it (none for a whole project). */
export interface RefusedPackage {
  format: string;
  name: string;
  version: string | null;
}

/**
 * A refusal of a package write that a protection rule or a legal hold made (403 with the rule or hold
 * in the message). It carries the project and package, so that a caller deleting many versions at
 * once (a project or group deletion) can record the publish_denied event of the one refused.
 */
export class PackageWriteRefusal extends TroveError {
  constructor(
    code: string,
    message: string,
    readonly project: Project,
    readonly pkg: RefusedPackage | null,
  ) {
    super(code, 403, message);
  }
}

export function isPackageWriteRefusal(error: unknown): error is PackageWriteRefusal {
  return error instanceof PackageWriteRefusal;
}
