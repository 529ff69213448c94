// End-to-end harness: the real core on a temp vault (with a throwaway keychain namespace), behind the
// loopback bridge, driven in Debian's Chromium through playwright-core. One browser per test file.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildRenderer } from '../../../main/build/build.ts';
import { createCeremonyService } from '../../../main/core/ceremony.ts';
import { startBridge, type Bridge } from '../../../main/ui-bridge/index.ts';
import type { CeremonyService } from '../../../shared/ceremony-api.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'e2e');

let rendererBuild: Promise<string> | undefined;
/** Builds the renderer once per test file into a private folder (parallel files do not race). */
export function builtRenderer(): Promise<string> {
  rendererBuild ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'byok-e2e-renderer-'));
    await buildRenderer(outDir);
    return outDir;
  })();
  return rendererBuild;
}

export interface Harness {
  page: Page;
  browser: Browser;
  bridge: Bridge;
  service: CeremonyService;
  vaultDir: string;
  workDir: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: { locale?: string; vaultDir?: string; service?: CeremonyService } = {}): Promise<Harness> {
  const workDir = mkdtempSync(join(tmpdir(), 'byok-e2e-'));
  const vaultDir = options.vaultDir ?? join(workDir, 'vault');
  const rendererDir = await builtRenderer();
  const service =
    options.service ??
    (await createCeremonyService({ vaultDir, create: true, keychainService: `byok-e2e/${process.pid}/${Math.random().toString(36).slice(2)}` }));
  const bridge = await startBridge({ service, rendererDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // A CSP violation means the page tried something the policy forbids (inline script, a remote origin).
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(bridge.url);
  await page.waitForSelector('[role="tablist"]');
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    page,
    browser,
    bridge,
    service,
    vaultDir,
    workDir,
    screenshot: async (name) => {
      await assertLabelled(page, name);
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: async () => {
      await browser.close();
      await bridge.close();
      if (!options.service) await service.close();
      rmSync(workDir, { recursive: true, force: true });
      if (pageErrors.length) throw new Error(`The page threw: ${pageErrors.join('; ')}`);
    },
  };
}

/** Every visible form control has an accessible name (a bound label or aria-label). */
export async function assertLabelled(page: Page, where: string): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, textarea, button'))
      .filter((element) => element.offsetParent !== null)
      .filter((element) => {
        const labelled = ('labels' in element && element.labels && element.labels.length > 0) || element.getAttribute('aria-label') || element.getAttribute('aria-labelledby');
        const text = element instanceof HTMLButtonElement ? element.textContent?.trim() : '';
        return !labelled && !text;
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
  if (unlabelled.length) throw new Error(`Unlabelled controls on ${where}: ${unlabelled.join(' | ')}`);
}

export async function openScreen(page: Page, tabName: string): Promise<void> {
  await page.getByRole('tab', { name: tabName }).click();
  await page.getByRole('heading', { level: 1, name: tabName }).waitFor();
}

/**
 * Waits for a step's success element, or fails at once with the core's typed error the page shows
 * (instead of a bare timeout).
 */
export async function expectOutcome(page: Page, success: ReturnType<Page['getByTestId']>, timeout = 30_000): Promise<void> {
  const alert = page.locator('.error-banner');
  const already = await alert.count();
  await success.or(alert.nth(already)).first().waitFor({ timeout });
  if (await success.isVisible()) return;
  throw new Error(`The page shows an error instead: ${(await alert.nth(already).textContent()) ?? ''}`);
}
