/**
 * Real Chromium for the browser tests: `CHROME_PATH` when set, else the build that
 * `@sparticuz/chromium` ships inside its npm package (unpacked on first use). No browser means a
 * failure that says how to get one — never a silent skip.
 */
import { existsSync } from 'node:fs';
import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Headless on a shared CI machine: no sandbox (root), no GPU, nothing reaching the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--lang=en-US',
] as const;

export const NO_BROWSER_HINT =
  'No Chromium for the browser tests: run `npm ci` (it installs @sparticuz/chromium, which ships one), ' +
  'or point CHROME_PATH at a Chrome or Chromium binary (Debian: `apt-get install chromium`, then CHROME_PATH=/usr/bin/chromium).';

export async function chromiumPath(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const given = env.CHROME_PATH;
  if (given !== undefined && given !== '') {
    if (!existsSync(given)) throw new Error(`CHROME_PATH=${given} does not exist. ${NO_BROWSER_HINT}`);
    return given;
  }
  let path: string;
  try {
    path = await chromium.executablePath();
  } catch (cause) {
    throw new Error(`${NO_BROWSER_HINT} (${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
  }
  if (!path || !existsSync(path)) throw new Error(NO_BROWSER_HINT);
  return path;
}

export async function launchChromium(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

/**
 * A page as an operator's browser has it. The locale is set because a machine locale such as
 * C.UTF-8 reaches pages as `navigator.language === 'en-US@posix'`, which `Intl` rejects.
 */
export function openPage(browser: Browser): Promise<Page> {
  return browser.newPage({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1360, height: 900 } });
}

/** One Chromium for a test file: launched before its tests, closed after. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not launched yet (use it inside a test or hook)');
    return browser;
  };
}
