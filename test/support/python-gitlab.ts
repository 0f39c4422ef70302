import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, pythonEnv, run } from './python-client.js';
import { tempDir } from './trove-process.js';

// Drives the real python-gitlab (Debian's python3-gitlab, installed by scripts/install-test-deps.sh)
// against a running Trove: a test passes a Python script body, which finds `gl` (a gitlab.Gitlab
// signed in with `token`, or anonymous), `anonymous` (one without a token), `data` (the test's
// input) and `out` (a dict it fills in); the script's `out` comes back as JSON. One process per
// area of the suite, not per assertion: starting Python and importing gitlab costs most of the time.

const PRELUDE = `
import json, os, sys
import gitlab

data = json.loads(os.environ['TROVE_TEST_INPUT'])
gl = gitlab.Gitlab(data['url'], private_token=data['token']) if data['token'] else gitlab.Gitlab(data['url'])
anonymous = gitlab.Gitlab(data['url'])
out = {}

def http_error(call):
    """The status and message of the GitlabError that call() raises (fails if it raises none)."""
    try:
        call()
    except gitlab.exceptions.GitlabError as error:
        return {'status': error.response_code, 'message': error.error_message}
    raise AssertionError('expected a GitlabError')

def attrs(obj):
    """A python-gitlab object's attributes as the server returned them (plus later changes)."""
    return obj.asdict()
`;

const EPILOGUE = `
print(json.dumps(out, default=str))
`;

function indent(script: string): string {
  // Test scripts are written as template strings indented with the test: strip the common indent.
  const lines = script.replace(/^\n/, '').split('\n');
  const margin = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(margin)).join('\n');
}

/** Runs `script` with python-gitlab against `baseUrl` and returns what it put into `out`. */
export async function pythonGitlab<T = any>(baseUrl: string, token: string | null, script: string, input: Record<string, unknown> = {}): Promise<T> {
  const dir = tempDir('trove-python-gitlab-');
  const file = join(dir, 'script.py');
  writeFileSync(file, `${PRELUDE}\n${indent(script)}\n${EPILOGUE}`);
  const env = pythonEnv(dir, { TROVE_TEST_INPUT: JSON.stringify({ ...input, url: baseUrl, token }) });
  const result = await run(PYTHON, [file], { cwd: dir, env });
  if (result.code !== 0) throw new Error(`python-gitlab script failed (exit ${result.code}):\n${result.stderr}\n${result.stdout}`);
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as T;
}
