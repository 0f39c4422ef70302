import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from './trove-process.js';

// Debian's chromium (scripts/install-test-deps.sh) driven by playwright-core; the flags are the
// ones DEVELOPERS.md documents: headless, no sandbox (tests may run as root in a container),
// and no background traffic (the tests may only talk to 127.0.0.1).

export const CHROMIUM = process.env.TROVE_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots and downloads of the browser tests (gitignored). */
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
