import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import type { Namespace } from '../../core/accounts/namespaces.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { SETTING_VALUES } from '../../core/audit/audit-settings.js';
import { errors } from '../../core/errors.js';
import { registrySettingsOf, updateRegistrySettings } from '../../core/packages/registry-settings.js';
import { principalHasScope } from '../../core/tokens/principal.js';
import { PackageSettings, PackageSettingsView } from '../../contracts/package-settings.js';
import { FORMATS } from '../../formats/index.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { visibleGroup, visibleNamespace } from '../loaders.js';
import { auditContextOf } from '../request-context.js';
import { bodyOf, oneOfValues, paramsOf } from '../schemas.js';

/** The settings the formats declare (PackageFormat.settings): true, false or a pattern, or null to inherit. */
const FORMAT_SETTINGS = FORMATS.flatMap((format) => format.settings);
// Other fields are refused by updateRegistrySettings() with a message that names the settings; a
// pattern's length and syntax are checked there too, for a message that says what is wrong.
const settingValue = oneOfValues(SETTING_VALUES);
const booleanSettingValue = Type.Unsafe<boolean | 'true' | 'false' | null>({ enum: [true, false, 'true', 'false', null] });
const regexSettingValue = Type.Union([Type.String(), Type.Null()]);
const settingsChange = bodyOf({
  package_audit_events: settingValue,
  package_download_events: settingValue,
  ...Object.fromEntries(FORMAT_SETTINGS.map(({ key, kind }) => [key, kind === 'regex' ? regexSettingValue : booleanSettingValue])),
});
const byId = paramsOf('id');
const readSchema = { params: byId, response: { 200: PackageSettingsView } };
const changeSchema = { params: byId, body: settingsChange, response: { 200: PackageSettings } };

/** A group's or user namespace's package registry settings (audit and format): readers from reporter up, changes by owners. */
export function registerPackageSettingsRoutes(app: Api, ctx: AppContext): void {
  /** Whether this caller's PUT would pass the role and scope checks, so the UI offers no form it cannot submit. */
  const mayUpdate = (request: FastifyRequest, level: number) => level >= AccessLevel.owner && principalHasScope(request.principal, 'api');

  async function read(request: FastifyRequest, ns: Namespace, level: number): Promise<PackageSettingsView> {
    if (level < AccessLevel.reporter) throw errors.forbidden();
    return { ...(await registrySettingsOf(ctx.db, ctx.audit, ns, FORMAT_SETTINGS)), can_update: mayUpdate(request, level) };
  }

  async function update(request: FastifyRequest, ns: Namespace, level: number, body: Record<string, unknown> | null): Promise<PackageSettings> {
    if (level < AccessLevel.owner) throw errors.forbidden();
    return updateRegistrySettings(ctx.db, ctx.audit, auditContextOf(request), request.principal, ns, body ?? {}, FORMAT_SETTINGS);
  }

  app.get('/api/v4/groups/:id/packages/settings', { schema: readSchema }, async (request) => {
    requireApiUser(request.principal, false);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    return read(request, group, level);
  });

  app.put('/api/v4/groups/:id/packages/settings', { schema: changeSchema }, async (request) => {
    requireApiUser(request.principal, true);
    const { group, level } = await visibleGroup(ctx, request, request.params.id);
    return update(request, group, level, request.body);
  });

  app.get('/api/v4/namespaces/:id/packages/settings', { schema: readSchema }, async (request) => {
    requireApiUser(request.principal, false);
    const { namespace, level } = await visibleNamespace(ctx, request, request.params.id);
    return read(request, namespace, level);
  });

  app.put('/api/v4/namespaces/:id/packages/settings', { schema: changeSchema }, async (request) => {
    requireApiUser(request.principal, true);
    const { namespace, level } = await visibleNamespace(ctx, request, request.params.id);
    return update(request, namespace, level, request.body);
  });
}
