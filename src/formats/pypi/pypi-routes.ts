import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { UploadCreated } from '../../contracts/package-clients.js';
import { authorizeProject, readableProjectsBelow } from '../../core/accounts/permissions.js';
import type { Project } from '../../core/accounts/projects.js';
import { errors } from '../../core/errors.js';
import { findFileByDigest, visiblePackageNames, visibleVersionsIn } from '../../core/packages/format-reads.js';
import { filesOf, type PublishedBy } from '../../core/packages/packages.js';
import { provenanceOfFiles } from '../../core/packages/provenance.js';
import type { Api } from '../../http/api.js';
import type { AppContext } from '../../http/app-context.js';
import { registerFormatErrorHandler } from '../format-errors.js';
import { projectPackagesUrl, type ProjectTarget } from '../format.js';
import { formatParams, type FormatRequest } from '../format-schemas.js';
import { sendPackageFile } from '../package-file-download.js';
import { registryGroup, registryProject } from '../registry-project.js';
import { negotiate, projectListHtml, provenanceObject, projectListJson, projectPageHtml, projectPageJson, type SimpleFile } from './pypi-metadata.js';
import { normalizePypiName } from './pypi-names.js';
import { FORM_LIMITS, uploadPypiFile } from './pypi-upload.js';

const projectParams = formatParams('id');
const indexParams = Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) });
const fileParams = formatParams('id', 'sha256', 'file_name');
type ProjectReq = FormatRequest<typeof projectParams>;
type IndexReq = FormatRequest<typeof indexParams>;
type FileReq = FormatRequest<typeof fileParams>;

/** A file's download URL; its PEP 740 provenance object is served at this URL + "/provenance". */
export function pypiFileUrl(target: ProjectTarget, sha256: string, fileName: string): string {
  return `${projectPackagesUrl(target)}/pypi/files/${sha256}/${encodeURIComponent(fileName)}`;
}

/** Every file of one PyPI project across these Trove projects, oldest first. */
async function filesFor(ctx: AppContext, projects: Project[], normalizedName: string): Promise<SimpleFile[]> {
  const versions = await visibleVersionsIn(ctx.db, 'pypi', normalizedName, projects.map((p) => p.id));
  const files = await filesOf(ctx.db, versions.map((v) => v.id));
  const attested = await provenanceOfFiles(ctx.db, files.map((f) => f.id), 'pep740_attestation');
  return files.map((file) => {
    const pkg = versions.find((v) => v.id === file.package_id)!;
    const url = pypiFileUrl({ baseUrl: ctx.config.baseUrl, projectId: pkg.project_id }, file.sha256, file.file_name);
    return { pkg, file, url, provenanceUrl: attested.has(file.id) ? `${url}/provenance` : null };
  });
}

async function sendIndex(request: FastifyRequest, reply: FastifyReply, html: () => string, json: () => unknown) {
  const chosen = negotiate(request.headers.accept);
  reply.header('vary', 'Accept').type(chosen.json ? chosen.type : `${chosen.type}; charset=utf-8`);
  return chosen.json ? JSON.stringify(json()) : html();
}

/** Serves the simple index for the projects returned by `scope` (one project, or the readable ones below a group). */
async function serveSimple(ctx: AppContext, request: IndexReq, reply: FastifyReply, projects: Project[]) {
  if (request.params.name === undefined) {
    const names = await visiblePackageNames(ctx.db, 'pypi', projects.map((p) => p.id));
    return sendIndex(request, reply, () => projectListHtml(names), () => projectListJson(names));
  }
  const name = normalizePypiName(request.params.name);
  const files = await filesFor(ctx, projects, name);
  if (files.length === 0) throw errors.notFound(`No package ${name} here`);
  return sendIndex(request, reply, () => projectPageHtml(name, files), () => projectPageJson(name, files));
}

async function projectForRead(ctx: AppContext, request: ProjectReq): Promise<Project> {
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'read', 'registry');
  return project;
}

async function download(ctx: AppContext, request: FileReq, reply: FastifyReply) {
  const project = await projectForRead(ctx, request);
  const found = await findFileByDigest(ctx.db, project.id, 'pypi', request.params.sha256, request.params.file_name);
  if (!found) throw errors.notFound('File not found');
  const { file, pkg } = found;
  return sendPackageFile(ctx, reply, file, { project, package: pkg }, { attachment: true });
}

/** PEP 740's provenance object of one file: its attestations, in one bundle under the publisher that uploaded them. */
async function provenance(ctx: AppContext, request: FileReq, reply: FastifyReply) {
  const project = await projectForRead(ctx, request);
  const found = await findFileByDigest(ctx.db, project.id, 'pypi', request.params.sha256, request.params.file_name);
  const rows = found ? ((await provenanceOfFiles(ctx.db, [found.file.id], 'pep740_attestation')).get(found.file.id) ?? []) : [];
  if (!found || rows.length === 0) throw errors.notFound('No provenance for this file');
  const publishedBy = JSON.parse(found.file.created_by) as PublishedBy;
  return reply.type('application/json').send(provenanceObject(publishedBy, rows));
}

/** PyPI's upload API and simple index (PEP 503/691) per project and per group, and file downloads. */
export async function registerPypiRoutes(app: Api, ctx: AppContext): Promise<void> {
  await app.register(async (scope: Api) => {
    // twine shows the response text, so errors are plain text as on PyPI.
    registerFormatErrorHandler(scope, ctx, 'pypi', (message) => message);
    await scope.register(multipart, {
      // Keep '/' and '\\' in file names so that validation refuses them: busboy would otherwise
      // strip "dir/" and store the upload under a name the client never sent.
      preservePath: true,
      limits: { ...FORM_LIMITS, fileSize: ctx.config.maxUploadBytes + 1 },
    });
    const project = '/api/v4/projects/:id/packages/pypi';
    const group = '/api/v4/groups/:id/-/packages/pypi';
    // The upload form is read and checked by pypi-upload.ts (multipart, twine's field names): no body schema.
    scope.post(project, { schema: { params: projectParams, response: { 201: UploadCreated } }, bodyLimit: ctx.config.maxUploadBytes + 1024 * 1024 }, async (request, reply) => {
      const target = await registryProject(ctx, request);
      await authorizeProject(ctx.db, request.principal, target, 'publish', 'registry');
      return reply.status(201).send(await uploadPypiFile(ctx, request, target));
    });
    // PEP 503: index URLs end with '/' (the project list's links are relative to it), so redirect.
    for (const prefix of [project, group]) {
      scope.get(`${prefix}/simple`, async (request, reply) => {
        const url = new URL(request.url, 'http://trove.invalid');
        return reply.redirect(`${url.pathname}/${url.search}`, 301);
      });
    }
    for (const path of ['/simple/', '/simple/:name', '/simple/:name/']) {
      scope.get(`${project}${path}`, { schema: { params: indexParams } }, async (request, reply) => serveSimple(ctx, request, reply, [await projectForRead(ctx, request)]));
      scope.get(`${group}${path}`, { schema: { params: indexParams } }, async (request, reply) => {
        const readable = await readableProjectsBelow(ctx.db, request.principal, await registryGroup(ctx, request), 'registry');
        return serveSimple(ctx, request, reply, readable);
      });
    }
    scope.get(`${project}/files/:sha256/:file_name`, { schema: { params: fileParams } }, (request, reply) => download(ctx, request, reply));
    scope.get(`${project}/files/:sha256/:file_name/provenance`, { schema: { params: fileParams } }, (request, reply) => provenance(ctx, request, reply));
  });
}
