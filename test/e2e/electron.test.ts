// The desktop shell through Playwright's _electron, on machines that have the Electron binary. Here (no
// binary: the build machines cannot download it) the suite says so explicitly instead of passing
// silently: one test proves the binary is absent and logs that 0 app tests ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { IPC_CHANNEL_IDS } from '../../shared/ipc-names.ts';

/**
 * Where the electron package keeps its binary, found without require('electron'): that call tries to
 * download the binary when it is missing, and the test machines must not reach the network.
 */
function electronBinary(): string | null {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const binary = override ? join(override, relative) : join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();

if (binary === null) {
  describe('Electron app (binary not installed)', () => {
    it('reports that the _electron suite ran 0 app tests on this machine', () => {
      console.warn('Electron binary not installed: the _electron suite ran 0 app tests on this machine.');
      expect(binary).toBeNull();
    });
  });
} else {
  describe('Electron app', () => {
    let app: ElectronApplication;
    let page: Page;
    let vaultDir: string;

    beforeAll(async () => {
      const built = spawnSync(process.execPath, ['main/build/build.ts'], { stdio: 'inherit' });
      expect(built.status).toBe(0);
      vaultDir = mkdtempSync(join(tmpdir(), 'byok-electron-'));
      app = await _electron.launch({ executablePath: binary, args: ['.', '--vault', vaultDir] });
      page = await app.firstWindow();
      await page.waitForSelector('[role="tablist"]');
    });
    afterAll(async () => {
      await app?.close();
      rmSync(vaultDir, { recursive: true, force: true });
    });

    it('loads the renderer from the app protocol with the sandbox on and no Node in the page', async () => {
      expect(page.url()).toBe('app://renderer/index.html');
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      const prefs = await app.evaluate(({ BrowserWindow }) => (BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences(): unknown }).getLastWebPreferences());
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    });

    it('exposes window.byok with exactly one method per channel, the progress subscription and the shell helpers', async () => {
      const keys = await page.evaluate(() => Object.keys(window.byok).sort());
      expect(keys).toEqual([...Object.keys(IPC_CHANNEL_IDS), 'onProgress', 'shell'].sort());
    });

    it('answers through the validated IPC table and refuses a malformed request', async () => {
      const info = await page.evaluate(() => window.byok.vaultInfo({}));
      expect(info.ok).toBe(true);
      const bad = await page.evaluate(() => window.byok.generateKeys({ spec: 'AES_256', alias: 'x', count: 0 } as never));
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    });

    it('denies navigation and new windows', async () => {
      await page.evaluate(() => window.open('https://example.com'));
      expect(app.windows()).toHaveLength(1);
      await page.evaluate(() => {
        location.href = 'https://example.com';
      }).catch(() => undefined);
      await page.waitForTimeout(200);
      expect(page.url()).toBe('app://renderer/index.html');
    });

    it('saves the transcript as a new PDF on the chosen paper, never over an existing file, and closes the print window', async () => {
      const outDir = mkdtempSync(join(tmpdir(), 'byok-electron-pdf-'));
      try {
        const out = join(outDir, 'transcript.pdf');
        const saved = await page.evaluate((path) => window.byok.shell!.saveTranscriptPdf({ out: path, paperSize: 'Letter' }), out);
        expect(saved).toMatchObject({ ok: true, value: { name: 'transcript.pdf', path: out } });
        const pdf = readFileSync(out).toString('latin1');
        expect(pdf.startsWith('%PDF-')).toBe(true);
        const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
        expect([Math.round(Number(box?.[1])), Math.round(Number(box?.[2]))]).toEqual([612, 792]);
        const again = await page.evaluate((path) => window.byok.shell!.saveTranscriptPdf({ out: path, paperSize: 'A4' }), out);
        expect(again).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
        expect(app.windows()).toHaveLength(1);
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    });
  });
}
