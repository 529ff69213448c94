// The validated path from a channel to the core: sender check, request and reply schemas, typed errors,
// progress and cancellation. The core is an in-memory fake with spies.
import { describe, expect, it } from 'vitest';
import { ByokError } from '../../../shared/errors.ts';
import { createIpcHandlers, isTrustedSender } from '../../../main/ipc/index.ts';
import { createFakeService, fakeKey } from '../../support-ui/fake-service.ts';
import type { IpcProgressEvent } from '../../../shared/ipc.ts';

const APP = 'app://renderer/index.html';

describe('isTrustedSender', () => {
  it('accepts only the app protocol and files inside the renderer folder', () => {
    expect(isTrustedSender('app://renderer/index.html')).toBe(true);
    expect(isTrustedSender('file:///opt/app/dist/renderer/index.html', '/opt/app/dist/renderer')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:5173/',
      'app://other/index.html',
      'app://user:pw@renderer/',
      'file:///opt/app/dist/renderer/../../evil.html',
      'file:///opt/app/dist/renderer-evil/index.html',
      'file:///opt/app/dist/renderer/index.html',
      'file://remote-host/opt/app/dist/renderer/index.html',
      'about:blank',
      'data:text/html,hi',
      '',
      null,
      undefined,
    ]) {
      const rendererDir = url === 'file:///opt/app/dist/renderer/index.html' ? undefined : '/opt/app/dist/renderer';
      expect(isTrustedSender(url, rendererDir), String(url)).toBe(false);
    }
  });
});

describe('createIpcHandlers', () => {
  it('refuses a request from a foreign frame before parsing or calling the core', async () => {
    const service = createFakeService();
    const reply = await createIpcHandlers(service).handle('vaultInfo', {}, { frameUrl: 'https://evil.example/' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'IPC_SENDER_REJECTED' } });
    expect(service.vaultInfo).not.toHaveBeenCalled();
  });

  it('serves a trusted frame and returns the parsed value', async () => {
    const service = createFakeService([fakeKey(1)]);
    const reply = await createIpcHandlers(service).handle('listKeys', {}, { frameUrl: APP });
    expect(reply.ok).toBe(true);
    if (reply.ok) expect((reply.value as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('refuses an unknown channel name', async () => {
    const service = createFakeService();
    const reply = await createIpcHandlers(service).handle('close', {}, { frameUrl: APP });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(service.close).not.toHaveBeenCalled();
  });

  it('drops reply fields the contract does not describe', async () => {
    const service = createFakeService([fakeKey(1)]);
    service.listKeys.mockImplementationOnce(async () => ({
      keys: [{ ...fakeKey(1), material: 'PLAINTEXT', privateKeyPem: 'PEM' }],
      secret: 'S',
    }));
    const reply = await createIpcHandlers(service).handle('listKeys', {}, { frameUrl: APP });
    expect(reply.ok).toBe(true);
    expect(JSON.stringify(reply)).not.toMatch(/PLAINTEXT|PEM|"secret"/);
  });

  it('withholds a reply that breaks the contract as INTERNAL', async () => {
    const service = createFakeService();
    service.vaultInfo.mockImplementationOnce(async () => ({ vaultId: 'v', dir: 'x'.repeat(5000) }));
    const reply = await createIpcHandlers(service).handle('vaultInfo', {}, { frameUrl: APP });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(reply)).not.toContain('xxxxx');
  });

  it('passes the core’s typed error through and hides untyped ones', async () => {
    const service = createFakeService();
    service.keyHistory.mockRejectedValueOnce(new ByokError('KEY_NOT_FOUND', 'No key k1 in this vault; list keys to find its id.'));
    service.auditVerify.mockRejectedValueOnce(new Error('library said: secret=abc'));
    const handlers = createIpcHandlers(service);
    expect(await handlers.handle('keyHistory', { keyId: 'k1' }, { frameUrl: APP })).toEqual({
      ok: false,
      error: { code: 'KEY_NOT_FOUND', message: 'No key k1 in this vault; list keys to find its id.' },
    });
    const hidden = await handlers.handle('auditVerify', {}, { frameUrl: APP });
    expect(hidden).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(hidden)).not.toContain('abc');
  });

  it('streams progress of a long call, tagged with its channel, and survives a throwing listener', async () => {
    const service = createFakeService();
    const events: IpcProgressEvent[] = [];
    const reply = await createIpcHandlers(service).handle(
      'generateKeys',
      { spec: 'AES_256', alias: 'alias/p', count: 3 },
      {
        frameUrl: APP,
        onProgress: (event) => {
          events.push(event);
          throw new Error('window closed');
        },
      },
    );
    expect(reply.ok).toBe(true);
    expect(events.at(-1)).toEqual({ channel: 'generateKeys', operation: 'generate', done: 3, total: 3, message: 'done' });
  });

  it('cancels a running long call through the cancel channel', async () => {
    const service = createFakeService();
    let sawAbort = false;
    service.backupVerify.mockImplementationOnce(
      (_request: unknown, options?: { signal?: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            sawAbort = true;
            reject(new ByokError('CANCELLED', 'Backup verification was cancelled; nothing was changed.'));
          });
        }),
    );
    const handlers = createIpcHandlers(service);
    const running = handlers.handle('backupVerify', {}, { frameUrl: APP });
    await new Promise((resolve) => setImmediate(resolve));
    const cancel = await handlers.handle('cancel', { operation: 'backupVerify' }, { frameUrl: APP });
    expect(cancel).toEqual({ ok: true, value: { cancelled: 1 } });
    expect(await running).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(sawAbort).toBe(true);
    expect(await handlers.handle('cancel', { operation: 'backupVerify' }, { frameUrl: APP })).toEqual({ ok: true, value: { cancelled: 0 } });
  });
});
