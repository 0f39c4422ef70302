import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { basic } from '../../../test/support/api.js';
import { buildProject, indexUrl, twineUpload, Venv, type BuiltProject } from '../../../test/support/python-client.js';
import { tempDir } from '../../../test/support/trove-process.js';
import type { DriverContext, FormatDriver } from '../../../test/conformance/format-driver.js';

let counter = 0;
const built = new Map<string, BuiltProject>();
const uploadUrl = (ctx: DriverContext) => `${ctx.trove.baseUrl}/api/v4/projects/${ctx.projectId}/packages/pypi`;

async function project(name: string, version: string): Promise<BuiltProject> {
  const key = `${name}@${version}`;
  if (!built.has(key)) built.set(key, await buildProject({ name, version, module: name.replace(/-/g, '_') }));
  return built.get(key)!;
}

/** PyPI: twine uploads the wheel, then the sdist as a second file; pip downloads. */
export const conformanceDriver: FormatDriver = {
  format: 'pypi',
  clientName: 'twine',
  via: 'package_client',
  newName: () => `conf-py-${process.pid}-${++counter}`,
  async publish(ctx, token, name, version) {
    const { wheel } = await project(name, version);
    const result = await twineUpload(uploadUrl(ctx), '__token__', token, [wheel]);
    return { outcome: { code: result.code, output: result.stdout + result.stderr }, files: [{ fileName: basename(wheel), bytes: readFileSync(wheel) }] };
  },
  async addFile(ctx, token, name, version) {
    const { sdist } = await project(name, version);
    const result = await twineUpload(uploadUrl(ctx), '__token__', token, [sdist]);
    return { outcome: { code: result.code, output: result.stdout + result.stderr }, file: { fileName: basename(sdist), bytes: readFileSync(sdist) } };
  },
  async download(ctx, token, name, version, file) {
    const venv = await Venv.create({ systemSitePackages: true });
    const dest = tempDir('trove-conf-pip-dl-');
    const index = indexUrl(ctx.trove.baseUrl, `/api/v4/projects/${ctx.projectId}/packages/pypi/simple/`, token);
    const onlyBinary = file.fileName.endsWith('.whl') ? ['--only-binary', ':all:'] : ['--no-binary', ':all:', '--no-build-isolation'];
    const result = await venv.pip(['download', '--no-deps', ...onlyBinary, '--index-url', index, '--dest', dest, `${name}==${version}`]);
    if (result.code !== 0) throw new Error(`pip download failed: ${result.stdout}\n${result.stderr}`);
    const got = readdirSync(dest).find((f) => f === file.fileName);
    if (!got) throw new Error(`pip downloaded ${readdirSync(dest).join(', ')}, not ${file.fileName}`);
    return readFileSync(join(dest, got));
  },
  badNames: ['../evil', 'a/b', '..', '-leading', 'sp ace', 'nul\u0000byte'],
  badFileNames: ['../evil-1.0.0-py3-none-any.whl', 'a/b-1.0.0.tar.gz', 'x\\y-1.0.0.tar.gz', 'nul\u0000-1.0.0.tar.gz', '..'],
  async publishRaw(ctx, token, name, version, fileName) {
    const form = new FormData();
    form.set(':action', 'file_upload');
    form.set('protocol_version', '1');
    form.set('name', name);
    form.set('version', version);
    form.set('filetype', 'sdist');
    form.set('content', new Blob([Buffer.from('not really an sdist')]), fileName ?? `${name}-${version}.tar.gz`);
    const res = await fetch(uploadUrl(ctx), { method: 'POST', headers: basic(token, '__token__'), body: form });
    await res.arrayBuffer();
    return res.status;
  },
};
