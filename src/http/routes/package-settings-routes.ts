import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { ancestorsOf, type Namespace } from '../../core/accounts/namespaces.js';
import { requireApiUser, userNamespaceLevel } from '../../core/accounts/permissions.js';
import { namespaceScope } from '../../core/audit/audit-scope.js';
import {
  effectiveIfSet,
  effectiveSetting,
  instanceSetting,
  isEnforced,
  SETTING_VALUES,
  type SettingKey,
  type SettingValue,
} from '../../core/audit/audit-settings.js';
import type { Changes } from '../../core/audit/audit-types.js';
import { errors } from '../../core/errors.js';
import { formatSettingsOf, parseFormatSettingsPatch, updateFormatSettings } from '../../core/packages/format-settings.js';
import { FORMATS } from '../../formats/index.js';
import { principalHasScope } from '../../core/tokens/principal.js';
import type { AppContext } from '../app-context.js';
import { visibleGroup, visibleNamespace } from '../loaders.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, oneOfValues } from '../schemas.js';

const KEYS: SettingKey[] = ['package_audit_events', 'package_download_events'];
/** The settings the formats declare (PackageFormat.settings): true, false, or null to inherit. */
const FORMAT_SETTINGS = FORMATS.flatMap((format) => format.settings);
// Other fields are refused by update() with a message that names the settings.
const settingsChange = {
  body: bodyOf({
    ...Object.fromEntries(KEYS.map((key) => [key, oneOfValues(SETTING_VALUES)])),
    ...Object.fromEntries(FORMAT_SETTINGS.map(({ key }) => [key, { enum: [true, false, 'true', 'false', null] }])),
  }),
};
const ALLOWED_KEYS: string[] = [...KEYS, ...FORMAT_SETTINGS.map((setting) => setting.key)];

export function registerPackageSettingsRoutes(app: FastifyInstance, ctx: AppContext): void {
  async function settingsOf(ns: Namespace) {
    const out: Record<string, string | boolean> = {};
    for (const key of KEYS) {
      const effective = await effectiveSetting(ctx.db, ns.id, key, ctx.audit.instanceDefaults);
      out[key] = ns[key];
      out[`${key}_effective`] = effective.value;
      out[`${key}_source`] = effective.source;
      // What `inherit` would give here (the parent's value, or the instance default), for the UI to show next to an explicit value.
      const inherited = ns.parent_id === null ? instanceSetting(ctx.audit.instanceDefaults, key) : await effectiveSetting(ctx.db, ns.parent_id, key, ctx.audit.instanceDefaults);
      out[`${key}_inherited`] = inherited.value;
      out[`${key}_inherited_source`] = inherited.source;
    }
    out.package_audit_events_enforced = isEnforced(ctx.audit.instanceDefaults, 'package_audit_events');
    return { ...out, ...(await formatSettingsOf(ctx.db, ns, FORMAT_SETTINGS)) };
  }

  async function update(request: FastifyRequest<{ Body: Record<string, unknown> }>, ns: Namespace) {
    const body = request.body ?? {};
    if (Object.keys(body).some((key) => !ALLOWED_KEYS.includes(key))) {
      throw errors.badRequest(`Only ${ALLOWED_KEYS.join(', ')} can be changed here`);
    }
    const formatPatch = parseFormatSettingsPatch(body, FORMAT_SETTINGS);
    const changes: Changes = {};
    const patch: Partial<Record<SettingKey, SettingValue>> = {};
    for (const key of KEYS) {
      if (body[key] === undefined) continue;
      if (!SETTING_VALUES.includes(body[key] as SettingValue)) {
        throw errors.badRequest(`${key} does not have a valid value (enabled, disabled, inherit)`);
      }
      if (body[key] !== ns[key]) {
        patch[key] = body[key] as SettingValue;
        changes[key] = { from: ns[key], to: body[key] };
      }
    }
    if (patch.package_audit_events !== undefined) await assertMayTurnOffAuditing(request, ns, patch.package_audit_events);
    if (Object.keys(patch).length > 0 || Object.keys(formatPatch).length > 0) {
      // Always recorded, even when the change turns package auditing off (SPEC 4.1).
      await ctx.db.transaction().execute(async (tx) => {
        await updateFormatSettings(tx, ctx.audit, auditContextOf(request), ns, formatPatch);
        if (Object.keys(patch).length === 0) return;
        await tx.updateTable('namespaces').set(patch).where('id', '=', ns.id).execute();
        await ctx.audit.record(tx, auditContextOf(request), {
          eventName: 'package_registry_audit_settings_updated',
          scope: namespaceScope(ns),
          target: { id: ns.id, type: ns.kind === 'group' ? 'Group' : 'Namespace', details: ns.full_path },
          customMessage: `Package registry audit settings changed: ${Object.entries(changes).map(([k, c]) => `${k} ${String(c.from)} -> ${String(c.to)}`).join(', ')}`,
          changes,
        });
      });
    }
    return settingsOf({ ...ns, ...patch });
  }

  /**
   * A change that leaves package audit events off here (`disabled`, or `inherit` of a disabled
   * parent) is refused when the instance enforces them, and below the top level needs an owner of
   * the top-level group: whoever creates a subgroup owns it, maintainers of the group above included.
   */
  async function assertMayTurnOffAuditing(request: FastifyRequest, ns: Namespace, value: SettingValue): Promise<void> {
    const defaults = ctx.audit.instanceDefaults;
    if (value === 'disabled' && isEnforced(defaults, 'package_audit_events')) {
      throw errors.forbidden('403 Forbidden - package audit events are enforced on this instance (TROVE_PACKAGE_AUDIT_EVENTS=enforced) and cannot be disabled');
    }
    if (ns.parent_id === null || (await effectiveIfSet(ctx.db, ns, 'package_audit_events', value, defaults)).value === 'enabled') return;
    const principal = requireApiUser(request.principal, true);
    const top = (await ancestorsOf(ctx.db, ns)).at(-1)!;
    if ((await userNamespaceLevel(ctx.db, principal.user.id, principal.user.is_admin === 1, top)) < AccessLevel.owner) {
      throw errors.forbidden(`403 Forbidden - only an owner of the top-level group ${top.full_path} can turn package audit events off below it`);
    }
  }

  /** Whether this caller's PUT would pass the role and scope checks, so the UI offers no form it cannot submit. */
  const mayUpdate = (request: FastifyRequest, level: number) => level >= AccessLevel.owner && principalHasScope(request.principal, 'api');

  const requireOwner = (level: number) => {
    if (level < AccessLevel.owner) throw errors.forbidden();
  };

  app.get<{ Params: { id: string } }>('/api/v4/groups/:id/packages/settings', async (request) => {
    requireApiUser(request.principal, false);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    if (level < AccessLevel.reporter) throw errors.forbidden();
    return { ...(await settingsOf(group)), can_update: mayUpdate(request, level) };
  });

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v4/groups/:id/packages/settings', { schema: settingsChange }, async (request) => {
    requireApiUser(request.principal, true);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    requireOwner(level);
    return update(request, group);
  });

  app.get<{ Params: { id: string } }>('/api/v4/namespaces/:id/packages/settings', async (request) => {
    requireApiUser(request.principal, false);
    const { namespace, level } = await visibleNamespace(ctx, request, request.params.id);
    if (level < AccessLevel.reporter) throw errors.forbidden();
    return { ...(await settingsOf(namespace)), can_update: mayUpdate(request, level) };
  });

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v4/namespaces/:id/packages/settings', { schema: settingsChange }, async (request) => {
    requireApiUser(request.principal, true);
    const { namespace, level } = await visibleNamespace(ctx, request, request.params.id);
    requireOwner(level);
    return update(request, namespace);
  });
}
