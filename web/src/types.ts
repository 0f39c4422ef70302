// The shapes of the REST API responses the UI reads. Resources whose contract the server declares
// (src/contracts, checked against every response in the test suite) are imported from it, so the UI
// compiles against what the server sends; the rest are described here until their routes declare them.

export type { Group, Project } from '../../src/contracts/namespaces.js';
export type { User } from '../../src/contracts/users.js';
export type { Session } from '../../src/contracts/session.js';
export type { DeployToken, PersonalAccessToken } from '../../src/contracts/tokens.js';
export type { Member } from '../../src/contracts/members.js';
export type { DeletedPackage, DistTag, Package, PackageFile } from '../../src/contracts/packages.js';
export type { Actor, Pipeline, PublishedBy } from '../../src/contracts/actors.js';
import type { Actor, Pipeline } from '../../src/contracts/actors.js';
export type { PackageSettingsView } from '../../src/contracts/package-settings.js';
export type { FormatPublishInstructions, FormatSettingSummary, FormatSummary, InstructionStep, PackageInstallInstructions } from '../../src/contracts/package-formats.js';

export type { AuditEvent } from '../../src/contracts/audit-events.js';
