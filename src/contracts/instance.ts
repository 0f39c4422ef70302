import Type, { type Static } from 'typebox';
import { IntegrityAlarm } from './audit-checkpoints.js';
import { Nullable } from './common.js';

/** `GET /version`. */
export const Version = Type.Object({ version: Type.String(), revision: Type.String() });
export type Version = Static<typeof Version>;

/** `GET /metadata`. */
export const Metadata = Type.Object({
  version: Type.String(),
  revision: Type.String(),
  kas: Type.Object({ enabled: Type.Boolean(), externalUrl: Nullable(Type.String()), externalK8sProxyUrl: Nullable(Type.String()), version: Nullable(Type.String()) }),
  enterprise: Type.Boolean(),
});
export type Metadata = Static<typeof Metadata>;

/** `GET /-/health`: degraded while the audit log's integrity alarm is open (package writes refused). */
export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  instance: Type.String(),
  audit_integrity_alarm: Type.Optional(IntegrityAlarm),
});
export type Health = Static<typeof Health>;
