// The loopback bridge: serves the built renderer and exposes the SAME IPC table through the SAME
// main/ipc handlers over HTTP, for `npm run ui:browser` and the browser tests. Not part of the app.
//
// Guarded like a local admin UI: bound to 127.0.0.1 only; the Host header must be that address (no DNS
// rebinding); a one-time random token in the printed URL is exchanged on first load for an HttpOnly,
// SameSite=Strict session cookie, and every other request without that cookie gets 403; POSTs must be
// same-origin JSON.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { CeremonyService } from '../../shared/ceremony-api.ts';
import type { IpcProgressEvent } from '../../shared/ipc.ts';
import { createIpcHandlers } from '../ipc/index.ts';

export const BRIDGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const COOKIE = 'byok_bridge';
const MAX_BODY = 1024 * 1024;

export interface BridgeOptions {
  service: CeremonyService;
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface Bridge {
  /** The one-time URL to open (carries the token). */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

function send(response: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': BRIDGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...extra,
  });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const rendererRoot = resolve(options.rendererDir);
  let oneTimeToken: string | undefined = randomBytes(32).toString('base64url');
  const token = oneTimeToken;
  const session = randomBytes(32).toString('base64url');
  const streams = new Set<ServerResponse>();
  let origin = '';
  const handlers = createIpcHandlers(options.service, { isTrustedSender: (url) => url === origin });
  const broadcast = (event: IpcProgressEvent) => {
    const frame = `event: progress\ndata: ${JSON.stringify(event)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };

  async function serveStatic(pathname: string, response: ServerResponse): Promise<void> {
    const relative = pathname === '/' ? '/index.html' : decodeURIComponent(pathname);
    const file = resolve(rendererRoot, `.${relative}`);
    if (!file.startsWith(rendererRoot + sep)) return send(response, 404, 'Not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return send(response, 404, 'Not found');
    }
    if (file.endsWith('index.html')) {
      // The desktop CSP forbids every connection; in the browser the page talks to this origin only.
      body = Buffer.from(body.toString('utf8').replace("connect-src 'none'", "connect-src 'self'"));
    }
    send(response, 200, body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.headers.host !== origin.slice('http://'.length)) return send(response, 403, 'Forbidden: wrong Host.');
    const url = new URL(request.url ?? '/', origin);

    const offered = url.searchParams.get('token');
    if (request.method === 'GET' && offered !== null) {
      if (oneTimeToken === undefined || !sameSecret(offered, oneTimeToken)) return send(response, 403, 'Forbidden: this link was already used or is wrong. Restart the bridge for a new one.');
      oneTimeToken = undefined; // one time only
      return send(response, 303, '', 'text/plain', {
        Location: '/',
        'Set-Cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
      });
    }
    const cookie = cookieValue(request);
    if (cookie === undefined || !sameSecret(cookie, session)) return send(response, 403, 'Forbidden: open the URL the bridge printed.');

    if (request.method === 'GET' && url.pathname === '/events') {
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      response.write(': connected\n\n');
      streams.add(response);
      request.on('close', () => streams.delete(response));
      return;
    }
    if (url.pathname.startsWith('/ipc/')) {
      if (request.method !== 'POST') return send(response, 405, 'Method not allowed');
      const fetchSite = request.headers['sec-fetch-site'];
      if ((request.headers.origin !== undefined && request.headers.origin !== origin) || (fetchSite !== undefined && fetchSite !== 'same-origin')) {
        return send(response, 403, 'Forbidden: cross-origin request.');
      }
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return send(response, 415, 'Send application/json.');
      const text = await readBody(request);
      let body: unknown;
      try {
        body = text === undefined ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const reply =
        body === undefined
          ? { ok: false, error: { code: 'INVALID_INPUT', message: 'The request body is not JSON or is larger than 1 MiB; nothing was done.' } }
          : await handlers.handle(decodeURIComponent(url.pathname.slice('/ipc/'.length)), body, { frameUrl: origin, onProgress: broadcast });
      return send(response, 200, JSON.stringify(reply), 'application/json');
    }
    if (request.method === 'GET') return serveStatic(url.pathname, response);
    return send(response, 405, 'Method not allowed');
  }

  const server = createServer((request, response) => {
    route(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'Internal error');
      else response.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    close: async () => {
      for (const stream of streams) stream.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
