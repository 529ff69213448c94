// The loopback bridge's guard and routing, with a fake core: token exchange, cookie, Host and origin
// checks, the shared IPC validation, and progress over Server-Sent Events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { startBridge, type Bridge } from '../../../main/ui-bridge/index.ts';
import { createFakeService, type FakeService } from '../../support-ui/fake-service.ts';

let dir: string;
let bridge: Bridge;
let service: FakeService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byok-bridge-'));
  writeFileSync(join(dir, 'index.html'), `<meta http-equiv="Content-Security-Policy" content="connect-src 'none'">`);
  service = createFakeService();
  bridge = await startBridge({ service, rendererDir: dir });
});
afterEach(async () => {
  await bridge.close();
  rmSync(dir, { recursive: true, force: true });
});

async function login(): Promise<string> {
  const response = await fetch(bridge.url, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const cookie = response.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

const post = (path: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${bridge.origin}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('the loopback bridge', () => {
  it('listens on 127.0.0.1 only and prints a one-time URL with a token', () => {
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.url).toMatch(/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses every request without the session cookie', async () => {
    expect((await fetch(`${bridge.origin}/`)).status).toBe(403);
    expect((await fetch(`${bridge.origin}/events`)).status).toBe(403);
    expect((await post('/ipc/vaultInfo', {}, {})).status).toBe(403);
    expect(service.vaultInfo).not.toHaveBeenCalled();
  });

  it('exchanges the token once and never again', async () => {
    await login();
    expect((await fetch(bridge.url, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${bridge.origin}/?token=wrong`, { redirect: 'manual' })).status).toBe(403);
  });

  it('serves the page with a connect-src limited to its own origin', async () => {
    const cookie = await login();
    const response = await fetch(`${bridge.origin}/`, { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await response.text()).toContain("connect-src 'self'");
    expect((await fetch(`${bridge.origin}/..%2f..%2fetc/passwd`, { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it('answers a channel through the shared IPC validation', async () => {
    const cookie = await login();
    const ok = await post('/ipc/vaultInfo', {}, { Cookie: cookie });
    expect(await ok.json()).toMatchObject({ ok: true, value: { vaultId: 'vault-1' } });
    const bad = await post('/ipc/generateKeys', { spec: 'AES_256', alias: 'a b' }, { Cookie: cookie });
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const unknown = await post('/ipc/close', {}, { Cookie: cookie });
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(service.generateKeys).not.toHaveBeenCalled();
    expect(service.close).not.toHaveBeenCalled();
  });

  it('refuses a cross-origin POST and a foreign Host even with the cookie', async () => {
    const cookie = await login();
    expect((await post('/ipc/vaultInfo', {}, { Cookie: cookie, Origin: 'http://evil.example' })).status).toBe(403);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${bridge.origin}/`, { headers: { Host: 'evil.example', Cookie: cookie } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
    expect(service.vaultInfo).not.toHaveBeenCalled();
  });

  it('streams progress of a long call as Server-Sent Events', async () => {
    const cookie = await login();
    const controller = new AbortController();
    const events = await fetch(`${bridge.origin}/events`, { headers: { Cookie: cookie }, signal: controller.signal });
    const reader = events.body!.getReader();
    await reader.read(); // the ": connected" comment
    const reply = await post('/ipc/generateKeys', { spec: 'AES_256', alias: 'alias/x', count: 2 }, { Cookie: cookie });
    expect((await reply.json()).ok).toBe(true);
    let text = '';
    while (!text.includes('"done":2')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('event: progress');
    expect(text).toContain('"channel":"generateKeys"');
  });
});
