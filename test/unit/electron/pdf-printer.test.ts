// The Electron printer's wiring against a stand-in 'electron' module (the binary is not installed on the
// build machines): which window it makes, what its session may load, what it asks printToPDF for, and
// that the hidden window is destroyed whatever happens. Chromium's printing itself is covered by
// test/integration/files/transcript-pdf.test.ts (same DevTools call) and test/e2e/electron.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pathToFileURL } from 'node:url';

type RequestListener = (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void;

const fake = vi.hoisted(() => {
  const state = {
    windows: [] as FakeWindow[],
    partitions: [] as Array<{ partition: string; options: unknown }>,
    onBeforeRequest: undefined as RequestListener | undefined,
    permissionRequest: undefined as ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined,
    loadURL: async (_url: string): Promise<void> => undefined,
    printToPDF: async (_options: unknown): Promise<Buffer> => Buffer.from('%PDF-1.7\n%%EOF\n'),
  };
  class FakeWindow {
    options: { show?: boolean; webPreferences?: Record<string, unknown> };
    destroyed = false;
    loaded: string[] = [];
    printOptions: unknown[] = [];
    webContents = {
      printToPDF: async (options: unknown) => {
        this.printOptions.push(options);
        return state.printToPDF(options);
      },
    };
    constructor(options: FakeWindow['options']) {
      this.options = options;
      state.windows.push(this);
    }
    async loadURL(url: string) {
      this.loaded.push(url);
      return state.loadURL(url);
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
    }
  }
  const session = {
    fromPartition: (partition: string, options: unknown) => {
      state.partitions.push({ partition, options });
      return {
        setPermissionRequestHandler: (handler: typeof state.permissionRequest) => {
          state.permissionRequest = handler;
        },
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        webRequest: {
          onBeforeRequest: (listener: RequestListener) => {
            state.onBeforeRequest = listener;
          },
        },
      };
    },
  };
  return { state, FakeWindow, session };
});

vi.mock('electron', () => ({ BrowserWindow: fake.FakeWindow, session: fake.session }));

const { printTranscriptToPdf } = await import('../../../main/electron/pdf-printer.ts');

const HTML_PATH = '/tmp/byok-transcript-AbC123/transcript.html';

function allowed(url: string): boolean {
  let cancel = true;
  fake.state.onBeforeRequest?.({ url }, (response) => {
    cancel = response.cancel;
  });
  return !cancel;
}

beforeEach(() => {
  fake.state.windows.length = 0;
  fake.state.loadURL = async () => undefined;
  fake.state.printToPDF = async () => Buffer.from('%PDF-1.7\n%%EOF\n');
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the Electron transcript printer', () => {
  it('prints the temp file in a hidden, sandboxed window without preload or JavaScript', async () => {
    const pdf = await printTranscriptToPdf(HTML_PATH, 'Letter');
    expect(new TextDecoder().decode(pdf)).toBe('%PDF-1.7\n%%EOF\n');
    const [window] = fake.state.windows;
    expect(window?.options.show).toBe(false);
    expect(window?.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webviewTag: false });
    expect(window?.options.webPreferences).not.toHaveProperty('preload');
    expect(window?.loaded).toEqual([pathToFileURL(HTML_PATH).href]);
    expect(window?.printOptions).toEqual([{ pageSize: 'Letter', printBackground: true, preferCSSPageSize: false }]);
    expect(window?.destroyed).toBe(true);
  });

  it('uses one in-memory session that denies permissions and loads only the file being printed', async () => {
    let duringPrint: Record<string, boolean> = {};
    fake.state.printToPDF = async () => {
      duringPrint = {
        transcript: allowed(pathToFileURL(HTML_PATH).href),
        otherFile: allowed('file:///etc/passwd'),
        remote: allowed('https://example.com/pixel.png'),
        app: allowed('app://renderer/index.html'),
      };
      return Buffer.from('%PDF-1.7\n');
    };
    await printTranscriptToPdf(HTML_PATH, 'A4');
    await printTranscriptToPdf(HTML_PATH, 'A4');
    expect(duringPrint).toEqual({ transcript: true, otherFile: false, remote: false, app: false });
    expect(allowed(pathToFileURL(HTML_PATH).href)).toBe(false); // not after the print is done
    expect(fake.state.partitions).toHaveLength(1);
    expect(fake.state.partitions[0]?.partition.startsWith('persist:')).toBe(false);
    let granted = true;
    fake.state.permissionRequest?.({}, 'media', (value) => {
      granted = value;
    });
    expect(granted).toBe(false);
  });

  it('destroys the window when loading fails and passes the failure on', async () => {
    fake.state.loadURL = async () => {
      throw new Error('ERR_FILE_NOT_FOUND');
    };
    await expect(printTranscriptToPdf(HTML_PATH, 'A4')).rejects.toThrow('ERR_FILE_NOT_FOUND');
    expect(fake.state.windows[0]?.destroyed).toBe(true);
    expect(allowed(pathToFileURL(HTML_PATH).href)).toBe(false);
  });

  it('gives up with a typed error when printing hangs, and destroys the window', async () => {
    vi.useFakeTimers();
    fake.state.printToPDF = () => new Promise<Buffer>(() => undefined);
    const printing = printTranscriptToPdf(HTML_PATH, 'A4');
    const outcome = expect(printing).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('took too long') });
    await vi.advanceTimersByTimeAsync(120_000);
    await outcome;
    expect(fake.state.windows[0]?.destroyed).toBe(true);
  });
});
