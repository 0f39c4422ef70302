import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { authorizeProject, readableProjectsBelow } from '../../core/accounts/permissions.js';
import { findProject, type Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { ContainerRepository, ContainerTag, ContainerTagBulkDeletion, ContainerTagHistoryEntry } from '../../contracts/container-registry.js';
import type { ContainerRepositoryRow } from '../../container-registry/registry-reads.js';
import { RegistryService } from '../../container-registry/registry-service.js';
import { repositoryJson, tagHistoryJson, tagsJson, tagSummary, type RegistryJsonEnv } from '../../container-registry/repository-json.js';
import { repositoriesOf, repositoryById, repositorySize, tagCounts, tagsOf } from '../../container-registry/repository-reads.js';
import { tagDeletionRules, tagsToDelete, type BulkTagDeletion } from '../../container-registry/tag-bulk-deletion.js';
import type { RepositoryLocation } from '../../container-registry/repository-names.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { idParam, visibleGroup, visibleProject } from '../loaders.js';
import { flagValue, listQuery, paginateArray, parsePaging, queryFlag, queryOf, setPageHeaders } from '../pagination.js';
import { paramsOf, text } from '../schemas.js';
import { toHttpError } from '../error-handler.js';
import { auditContextOf } from '../request-context.js';

// GitLab's container registry REST API (lib/api/project_container_repositories.rb,
// group_container_repositories.rb, container_repositories.rb), plus a tag's history. Reads need
// what package reads need on the REST API (reporter, or the project's visibility; read_api or api);
// deletes a maintainer's `api` credential. Deletes run at once (GitLab queues them and answers 202;
// Trove answers the same status when the work is already done) through the registry writer, which
// records tag_deleted / manifest_deleted / repository_deleted.

type RepositoryParams = { id: string; repository_id: string };
type TagParams = RepositoryParams & { tag_name: string };

const byProject = paramsOf('id');
const byRepository = paramsOf('id', 'repository_id');
const byTag = paramsOf('id', 'repository_id', 'tag_name');
const repositoryListQuery = listQuery({ tags: queryFlag, tags_count: queryFlag });
const regex = text(255);
const bulkQuery = queryOf({ name_regex_delete: regex, name_regex: regex, name_regex_keep: regex, keep_n: Type.String({ maxLength: 10 }), older_than: Type.String({ maxLength: 32 }) });

/** The image path of a repository below its project's path ('' for the project's own image). */
function imagePathIn(project: Pick<Project, 'full_path'>) {
  return (row: ContainerRepositoryRow) => (row.name.length > project.full_path.length ? row.name.slice(project.full_path.length + 1) : '');
}

export function registerContainerRegistryRestRoutes(app: Api, ctx: AppContext): void {
  const base = ctx.config.baseUrl;
  const env: RegistryJsonEnv = { db: ctx.db, host: new URL(base).host, open: (sha256) => ctx.blobs.open(sha256) };
  const registry = new RegistryService(ctx.db, ctx.audit, ctx.integrity);

  async function withTags(rows: ContainerRepositoryRow[], projects: Map<number, Project>, query: { tags?: string; tags_count?: string; size?: string }): Promise<ContainerRepository[]> {
    const counts = flagValue(query.tags_count) ? await tagCounts(ctx.db, rows.map((r) => r.id)) : null;
    const out: ContainerRepository[] = [];
    for (const row of rows) {
      const json = repositoryJson(env, row, imagePathIn(projects.get(row.project_id)!));
      if (counts) json.tags_count = counts.get(row.id) ?? 0;
      if (flagValue(query.tags)) json.tags = (await tagsOf(ctx.db, row.id)).map((t) => tagSummary(env, row, t.name));
      if (flagValue(query.size)) json.size = await repositorySize(ctx.db, row.id);
      out.push(json);
    }
    return out;
  }

  /** The repository of the URL in a project whose registry the caller may read (404 otherwise). */
  async function readableRepository(request: FastifyRequest, params: RepositoryParams): Promise<{ project: Project; repository: ContainerRepositoryRow }> {
    const { project } = await visibleProject(ctx, request, params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const repository = await repositoryById(ctx.db, idParam(params.repository_id, 'Repository'));
    if (!repository || repository.project_id !== project.id) throw errors.notFound('404 Repository Not Found');
    return { project, repository };
  }

  const listSchema = { params: byProject, querystring: repositoryListQuery, response: { 200: Type.Array(ContainerRepository) } };
  app.get('/api/v4/projects/:id/registry/repositories', { schema: listSchema }, async (request, reply) => {
    const { project } = await visibleProject(ctx, request, request.params.id);
    await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    const paging = parsePaging(request.query);
    const { rows, total } = await repositoriesOf(ctx.db, [project.id], paging.perPage, paging.offset);
    setPageHeaders(request, reply, base, paging, total);
    return withTags(rows, new Map([[project.id, project]]), request.query);
  });

  const groupListSchema = { params: byProject, querystring: listQuery(), response: { 200: Type.Array(ContainerRepository) } };
  app.get('/api/v4/groups/:id/registry/repositories', { schema: groupListSchema }, async (request, reply) => {
    const { group } = await visibleGroup(ctx, request, request.params.id);
    const readable = await readableProjectsBelow(ctx.db, request.principal, group, 'api');
    const paging = parsePaging(request.query);
    const { rows, total } = await repositoriesOf(ctx.db, readable.map((p) => p.id), paging.perPage, paging.offset);
    setPageHeaders(request, reply, base, paging, total);
    return withTags(rows, new Map(readable.map((p) => [p.id, p])), {});
  });

  const oneSchema = { params: byProject, querystring: queryOf({ tags: queryFlag, tags_count: queryFlag, size: queryFlag }), response: { 200: ContainerRepository } };
  app.get('/api/v4/registry/repositories/:id', { schema: oneSchema }, async (request) => {
    const repository = await repositoryById(ctx.db, idParam(request.params.id, 'Repository'));
    const project = repository ? await findProject(ctx.db, String(repository.project_id)) : undefined;
    if (!repository || !project) throw errors.notFound('404 Repository Not Found');
    try {
      await authorizeProject(ctx.db, request.principal, project, 'read', 'api');
    } catch (error) {
      // The repository of a project the caller may not see does not exist for them.
      if (toHttpError(error).statusCode === 404) throw errors.notFound('404 Repository Not Found');
      throw error;
    }
    const [json] = await withTags([repository], new Map([[project.id, project]]), request.query);
    return json;
  });

  const tagsSchema = { params: byRepository, querystring: listQuery(), response: { 200: Type.Array(ContainerTag) } };
  app.get('/api/v4/projects/:id/registry/repositories/:repository_id/tags', { schema: tagsSchema }, async (request, reply) => {
    const { repository } = await readableRepository(request, request.params);
    const page = paginateArray(request, reply, base, await tagsOf(ctx.db, repository.id));
    return tagsJson(env, repository, page);
  });

  const tagSchema = { params: byTag, response: { 200: ContainerTag } };
  app.get('/api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name', { schema: tagSchema }, async (request) => {
    const { repository } = await readableRepository(request, request.params);
    const [tag] = await tagsJson(env, repository, await tagsOf(ctx.db, repository.id, request.params.tag_name));
    if (!tag) throw errors.notFound('404 Tag Not Found');
    return tag;
  });

  // Trove's own: every digest the tag pointed to (also after the tag was deleted), newest first.
  const historySchema = { params: byTag, querystring: listQuery(), response: { 200: Type.Array(ContainerTagHistoryEntry) } };
  app.get('/api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name/history', { schema: historySchema }, async (request, reply) => {
    const { repository } = await readableRepository(request, request.params);
    const history = await tagHistoryJson(env, repository, request.params.tag_name);
    if (history.length === 0) throw errors.notFound('404 Tag Not Found');
    return paginateArray(request, reply, base, history);
  });

  /**
   * Every delete: the project, then (recording a refusal of an authenticated caller as
   * container_registry_push_denied, as /v2/ does) its visibility, the repository, the caller's
   * delete right, and the write.
   */
  async function deleting<T>(request: FastifyRequest, params: RepositoryParams, what: (repository: ContainerRepositoryRow | null) => string, work: (location: RepositoryLocation, repository: ContainerRepositoryRow) => Promise<T>): Promise<T> {
    const project = await findProject(ctx.db, params.id);
    if (!project) throw errors.notFound('404 Project Not Found');
    let repository: ContainerRepositoryRow | null = null;
    const location = (): RepositoryLocation => ({ project, name: repository?.name ?? project.full_path, imagePath: repository ? imagePathIn(project)(repository) : '' });
    try {
      const found = await readableRepository(request, params);
      repository = found.repository;
      await authorizeProject(ctx.db, request.principal, project, 'delete', 'api');
      return await work(location(), found.repository);
    } catch (error) {
      const mapped = toHttpError(error);
      if (request.principal.kind !== 'anonymous' && mapped.statusCode >= 400 && mapped.statusCode < 500 && mapped.statusCode !== 401) {
        await registry.recordDenied(auditContextOf(request), location(), { target: what(repository), reason: mapped.message, statusCode: mapped.statusCode });
      }
      throw error;
    }
  }

  app.delete('/api/v4/projects/:id/registry/repositories/:repository_id', { schema: { params: byRepository } }, async (request, reply) => {
    await deleting(request, request.params, (r) => r?.name ?? `repository ${request.params.repository_id}`, (location, repository) =>
      registry.write(auditContextOf(request), location, (w) => w.deleteRepository(repository)),
    );
    return reply.status(202).send();
  });

  app.delete('/api/v4/projects/:id/registry/repositories/:repository_id/tags/:tag_name', { schema: { params: byTag } }, async (request, reply) => {
    const tagName = request.params.tag_name;
    await deleting(request, request.params, (r) => `${r?.name ?? `repository ${request.params.repository_id}`}:${tagName}`, async (location, repository) => {
      if ((await tagsOf(ctx.db, repository.id, tagName)).length === 0) throw errors.notFound('404 Tag Not Found');
      await registry.write(auditContextOf(request), location, (w) => w.deleteTag(repository, tagName));
    });
    return reply.status(200).send();
  });

  // GitLab's bulk delete, run inline: the tags whose names match name_regex_delete (anchored, as
  // GitLab's), but not name_regex_keep, beyond the keep_n most recently pointed, older than older_than.
  const bulkSchema = { params: byRepository, querystring: bulkQuery, response: { 202: ContainerTagBulkDeletion } };
  app.delete('/api/v4/projects/:id/registry/repositories/:repository_id/tags', { schema: bulkSchema }, async (request, reply) => {
    const query: BulkTagDeletion = { ...request.query, ...(typeof request.body === 'object' && request.body !== null ? (request.body as BulkTagDeletion) : {}) };
    const rules = tagDeletionRules(query);
    const deleted = await deleting(request, request.params, (r) => `${r?.name ?? `repository ${request.params.repository_id}`} tags`, async (location, repository) => {
      const names = tagsToDelete(await tagsOf(ctx.db, repository.id), rules);
      if (names.length > 0) await registry.write(auditContextOf(request), location, async (w) => {
        for (const name of names) await w.deleteTag(repository, name);
      });
      return names;
    });
    return reply.status(202).send({ message: '202 Accepted', deleted });
  });
}
