import type { FastifyReply } from 'fastify';
import { authorizeProject } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import { filesOf, findPackageVersion, type PackageFileRow } from '../../core/packages/packages.js';
import type { AppContext } from '../../http/app-context.js';
import { auditContextOf } from '../../http/request-context.js';
import { noteAttempt } from '../format-errors.js';
import { assertDeclaredSize, readSmallBody, receiveRawUpload } from '../format-upload.js';
import { registryProject } from '../registry-project.js';
import { componentOf, mismatchOf, parseChanges } from './debian-changes.js';
import { assertComponent, assertDebianFileName, assertDistributionName, assertUploadFileName } from './debian-names.js';
import { publishItems, type PublishItem } from './debian-publish.js';
import { prepareSourceFiles, type ReceivedFile } from './debian-source.js';
import { checkComponent, distributionOf, prepareDeb, type PreparedDeb, type UploadRequest } from './debian-upload.js';

// GitLab's upload flow for dput: the files of an upload are PUT without a distribution and wait in
// the project's "incoming" package, which no index lists and no pool path serves; the .changes
// file, PUT last, publishes the files it lists (.debs, and a source package's .dsc, tarballs and
// .buildinfo: debian-source.ts) into the distribution it names, once every listed
// file is in incoming with the size and checksums the .changes gives. The publish and the removal
// of the files from incoming are one audited write: a refusal changes nothing.

/** The incoming package's name and version. The version is no valid Debian version, so no uploaded package can ever be it. */
export const INCOMING = { name: 'incoming', version: 'incoming' } as const;
// A .changes file is a few kilobytes; read whole, never stored.
const MAX_CHANGES_BYTES = 1024 * 1024;
const CHANGES_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*\.changes$/;

/** PUT .../packages/debian/:file_name without a distribution: a .deb or source file waits in incoming, a .changes publishes. */
export async function uploadIncoming(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  noteAttempt(request, { format: 'debian', name: null, version: null });
  const project = await registryProject(ctx, request);
  await authorizeProject(ctx.db, request.principal, project, 'publish', 'registry');
  const requested = request.params.file_name;
  if (requested.endsWith('.changes')) return processChanges(ctx, request, reply);
  const fileName = assertUploadFileName(requested);
  const maxBytes = ctx.config.debianMaxUploadBytes;
  assertDeclaredSize(request, maxBytes);
  const blob = await receiveRawUpload(ctx, request, request.body, maxBytes);
  noteAttempt(request, { format: 'debian', name: INCOMING.name, version: INCOMING.version });

  const incoming = await findPackageVersion(ctx.db, project.id, 'debian', INCOMING.name, INCOMING.version);
  const previous = incoming ? (await filesOf(ctx.db, [incoming.id])).find((file) => file.file_name === fileName) : undefined;
  if (previous?.sha256 === blob.sha256) return reply.status(201).send({ message: '201 Created' });
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    const file = { fileName, blob };
    if (!incoming) {
      await writer.createVersion({ format: 'debian', name: INCOMING.name, normalizedName: INCOMING.name, version: INCOMING.version, status: 'hidden', metadata: { description: 'Files waiting for their .changes' }, files: [file] });
      return;
    }
    // An upload that is sent again (dput after a failure) replaces what was waiting under its name.
    if (previous) await writer.deleteFile(incoming, previous);
    await writer.addFile(incoming, file);
  });
  return reply.status(201).send({ message: '201 Created' });
}

async function processChanges(ctx: AppContext, request: UploadRequest, reply: FastifyReply) {
  const project = await registryProject(ctx, request);
  const changesName = request.params.file_name;
  if (changesName.length > 255 || changesName.includes('..') || !CHANGES_FILE_NAME.test(changesName)) {
    throw errors.badRequest(`File name ${JSON.stringify(changesName.slice(0, 100))} is invalid`);
  }
  assertDeclaredSize(request, MAX_CHANGES_BYTES);
  const changes = parseChanges((await readSmallBody(request.body, MAX_CHANGES_BYTES)).toString('utf8'));
  noteAttempt(request, { format: 'debian', name: changes.source, version: changes.version });
  const distribution = await distributionOf(ctx, project, assertDistributionName(changes.distribution));

  const incoming = await findPackageVersion(ctx.db, project.id, 'debian', INCOMING.name, INCOMING.version);
  const waiting = incoming ? await filesOf(ctx.db, [incoming.id]) : [];
  const debs: PreparedDeb[] = [];
  const others: ReceivedFile[] = [];
  const taken: PackageFileRow[] = [];
  for (const listed of changes.files) {
    assertUploadFileName(listed.name);
    const file = waiting.find((candidate) => candidate.file_name === listed.name);
    if (!file) throw errors.badRequest(`${listed.name} is listed in ${changesName} but was not uploaded`);
    const blob = { sha256: file.sha256, size: Number(file.size), sha1: file.sha1, md5: file.md5, sha512: file.sha512 };
    const mismatch = mismatchOf(listed, blob);
    if (mismatch) throw errors.badRequest(`${listed.name}: the uploaded file's ${mismatch} is not the one ${changesName} gives`);
    taken.push(file);
    if (!listed.name.endsWith('.deb')) {
      others.push({ listed, blob });
      continue;
    }
    const component = assertComponent(componentOf(listed));
    checkComponent(distribution, component);
    debs.push(await prepareDeb(ctx, request, project, distribution, component, assertDebianFileName(listed.name), blob));
  }
  const seen = new Set<string>();
  for (const deb of debs) {
    const key = `${deb.name} ${deb.version}`;
    if (seen.has(key)) throw errors.badRequest(`${changesName} lists ${deb.name} ${deb.version} twice; upload one architecture per .changes`);
    seen.add(key);
  }
  const items: PublishItem[] = [
    ...debs.map((deb) => ({ name: deb.name, version: deb.version, description: deb.description, existing: deb.existing, file: { fileName: deb.fileName, blob: deb.blob, metadata: deb.metadata } })),
    ...(await prepareSourceFiles(ctx, project, distribution, changes, others)),
  ];
  // Every listed file was found in incoming, so incoming exists.
  if (!incoming) throw errors.badRequest(`${changesName} lists no file`);
  await ctx.packages.write(auditContextOf(request), project, async (writer) => {
    await publishItems(writer, items);
    for (const file of taken) await writer.deleteFile(incoming, file);
  });
  return reply.status(201).send({ message: '201 Created' });
}
