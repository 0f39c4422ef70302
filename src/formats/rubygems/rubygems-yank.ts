import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { formatParams, formatQuery, type FormatRequest } from '../format-schemas.js';
import { readSmallBody, type RawUploadBody } from '../format-upload.js';
import { registryProject } from '../registry-project.js';
import { assertGemName, assertGemPlatform, assertGemVersion, gemFullName, RUBY_PLATFORM } from './rubygems-names.js';

export const YANK_PARAMS = formatParams('id');
export const YANK_QUERY = formatQuery('gem_name', 'version', 'platform');
type YankRequest = FormatRequest<typeof YANK_PARAMS, typeof YANK_QUERY> & { body: RawUploadBody };

// gem yank sends three short form fields; anything much longer is not a yank.
const MAX_FORM_BYTES = 4096;

/** The yank's fields: from the form body `gem yank` sends, else from the query string (as rubygems.org takes either). */
async function yankFields(request: YankRequest): Promise<{ name: unknown; version: unknown; platform: unknown }> {
  const form = new URLSearchParams((await readSmallBody(request.body, MAX_FORM_BYTES)).toString('utf8'));
  const field = (key: 'gem_name' | 'version' | 'platform') => form.get(key) ?? request.query[key];
  return { name: field('gem_name'), version: field('version'), platform: field('platform') };
}

/**
 * `gem yank NAME -v VERSION [-p PLATFORM] --host ...`: DELETE .../api/v1/gems/yank with the token bare
 * in Authorization, as for gem push. GitLab has no such endpoint; Trove answers it as rubygems.org
 * does (plain text, which gem prints whatever the status) with its own soft delete: the version
 * leaves every index and download at once, and a restore through the packages API brings it back.
 * The permission is a delete's (maintainer or above), and protection rules and legal holds apply.
 *
 * Trove's unit is the version, with every platform's gem of it: without --platform the whole version
 * is yanked; with one, the version must hold that platform's gem and no other, since yanking one
 * platform alone would be a hard delete of a file that no restore brings back.
 */
export async function yankGem(ctx: AppContext, request: YankRequest, reply: FastifyReply) {
  noteAttempt(request, { format: 'rubygems', name: null, version: null });
  const project = await registryProject(ctx, request);
  const fields = await yankFields(request);
  noteAttempt(request, { format: 'rubygems', name: typeof fields.name === 'string' ? fields.name : null, version: typeof fields.version === 'string' ? fields.version : null });
  await authorizeProject(ctx.db, request.principal, project, 'delete', 'registry');
  const name = assertGemName(fields.name);
  const version = assertGemVersion(fields.version);
  const platform = fields.platform === undefined || fields.platform === '' ? null : assertGemPlatform(fields.platform);
  const pkg = await findPackageVersion(ctx.db, project.id, 'rubygems', name, version);
  if (!pkg || pkg.status === 'pending_destruction') throw errors.notFound(notFoundMessage(name, version, platform));
  const fileNames = (await filesOf(ctx.db, [pkg.id])).map((f) => f.file_name);
  if (platform !== null) {
    const wanted = `${gemFullName(name, version, platform)}.gem`;
    if (!fileNames.includes(wanted)) throw errors.notFound(notFoundMessage(name, version, platform));
    const others = fileNames.filter((f) => f !== wanted);
    if (others.length > 0) {
      throw errors.conflict(`${name} ${version} also has ${others.join(', ')}: Trove yanks a whole version, run gem yank without --platform to yank every platform's gem of it`);
    }
  }
  await ctx.packages.write(auditContextOf(request), project, (writer) => writer.deleteVersion(pkg, 'rubygems package yanked'));
  const yanked = platform === null || platform === RUBY_PLATFORM ? version : `${version}-${platform}`;
  return reply.status(200).type('text/plain; charset=utf-8').send(`Successfully deleted gem: ${name} (${yanked})`);
}

function notFoundMessage(name: string, version: string, platform: string | null): string {
  return `The version ${version}${platform === null ? '' : ` (${platform})`} of ${name} does not exist.`;
}
