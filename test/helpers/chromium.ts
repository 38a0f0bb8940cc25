import sparticuz from '@sparticuz/chromium';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// @sparticuz/chromium ships Chromium brotli-compressed inside its npm tarball (no install script, nothing downloaded)
// and inflates it on first use into os.tmpdir()/chromium. That shared path races between concurrent test processes (one
// sees the file while another is still writing it), and an interrupted inflate leaves a truncated binary that is reused
// for ever. So each version is inflated into a private staging folder and renamed into place whole.
async function executablePath(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  const home = join(tmpdir(), `scalesim-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return binary;

  const staging = mkdtempSync(join(tmpdir(), `scalesim-chromium-${version}-staging-`));
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = staging; // the package inflates into os.tmpdir(), read when each inflate starts
  try {
    await sparticuz.executablePath();
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
  }
  try {
    renameSync(staging, home);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error; // not a concurrent process that got there first
  }
  return binary;
}

// The package's flags (it runs headless-shell, single process, as root), minus the two that relax the page's security:
// the report must work in a user's ordinary browser. Plus the flags that keep Chromium off the network.
const RELAXED = new Set(['--disable-web-security', '--allow-running-insecure-content']);
const OFFLINE = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches the Chromium that @sparticuz/chromium ships; throws (never skips) when it cannot start. */
export async function launchChromium(): Promise<Browser> {
  const args = sparticuz.args.filter((a) => !RELAXED.has(a));
  return chromium.launch({
    executablePath: await executablePath(),
    args: [...args, ...OFFLINE.filter((a) => !args.includes(a))],
    headless: true,
  });
}
