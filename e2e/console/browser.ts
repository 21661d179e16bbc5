// Debian's Chromium driven by playwright-core: the test tools cannot download a browser here, so
// the one the machine installs (apt-get install chromium) is used, as a window desk would.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find(
    (candidate): candidate is string => candidate !== undefined && existsSync(candidate),
  );
  if (!executablePath) {
    throw new Error(
      'No Chromium found: install Debian’s chromium (apt-get install chromium) or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    // This machine's network is closed: without these Chromium keeps calling home and failing.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Saves a full-page screenshot of each step as a test artifact under e2e/results/console/. */
export class StepShots {
  private step = 0;
  readonly dir: string;

  constructor(name: string) {
    this.dir = path.resolve(__dirname, '../results/console', name);
    mkdirSync(this.dir, { recursive: true });
  }

  async take(page: Page, label: string): Promise<string> {
    this.step += 1;
    const file = path.join(this.dir, `${String(this.step).padStart(2, '0')}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
