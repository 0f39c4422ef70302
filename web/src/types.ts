// The shapes of the REST API responses the UI reads: the server's own contracts (src/contracts,
// checked against every response in the test suite), so the UI compiles against what it is sent.

export type { Group, Project } from '../../src/contracts/namespaces.js';
export type { User } from '../../src/contracts/users.js';
export type { Session } from '../../src/contracts/session.js';
export type { DeployToken, PersonalAccessToken } from '../../src/contracts/tokens.js';
export type { Member } from '../../src/contracts/members.js';
export type { DeletedPackage, DistTag, Package, PackageFile } from '../../src/contracts/packages.js';
export type { ContainerRepository, ContainerTag, ContainerTagHistoryEntry } from '../../src/contracts/container-registry.js';
export type { Actor, Pipeline, PublishedBy } from '../../src/contracts/actors.js';
export type { PackageSettingsView } from '../../src/contracts/package-settings.js';
export type { FormatPublishInstructions, FormatSettingSummary, FormatSummary, InstructionStep, PackageInstallInstructions } from '../../src/contracts/package-formats.js';

export type { AuditEvent } from '../../src/contracts/audit-events.js';
export type { AuditReport } from '../../src/contracts/audit-reports.js';
export type { ProtectionRule } from '../../src/contracts/protection-rules.js';
export type { TrustedPublisher } from '../../src/contracts/trusted-publishers.js';
export type { LegalHold, PackageLegalHold } from '../../src/contracts/legal-holds.js';
export type { AccessReview, AccessReviewCompletion, AccessReviewEntry, WriteCredential } from '../../src/contracts/access-review.js';
