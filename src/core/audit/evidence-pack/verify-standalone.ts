// The entry of verify.mjs, the evidence pack's standalone verifier: this module bundled with
// what it imports (scripts/build.sh, esbuild) into one file that needs only Node 18 or later
// and no package. Node, not Python: Python 3's standard library has no Ed25519 (hashlib and hmac
// only), so a Python verifier would need a package or home-made curve arithmetic; Node's
// node:crypto verifies Ed25519 and SHA-256 natively.
//   node verify.mjs [folder] [--trusted-key <file>]... [--json]
// folder: the pack's folder (default: the one verify.mjs is in).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { runPackVerifier, type PackVerifierArgs } from './pack-verifier-cli.js';

function parseArgs(argv: string[]): PackVerifierArgs | string {
  const args: PackVerifierArgs = { folder: dirname(fileURLToPath(import.meta.url)), trustedKeyFiles: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') args.json = true;
    else if (arg === '--trusted-key' && argv[i + 1] !== undefined) args.trustedKeyFiles.push(argv[++i]);
    else if (arg === '--help' || arg === '-h' || arg.startsWith('-')) return 'usage: node verify.mjs [pack folder] [--trusted-key <file>]... [--json]';
    else args.folder = arg;
  }
  return args;
}

// The bundle is also the entry of its worker threads (jsonl-check-workers.ts): they only serve.
if (isMainThread) {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    process.exitCode = 2;
  } else {
    process.exitCode = await runPackVerifier(args);
  }
}
