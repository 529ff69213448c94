// The simulator's HTTP server: one loopback port, three provider protocols told apart as the real
// services are, an admin surface under /__admin/, and fault injection drawn per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { assertLoopbackHost } from './loopback.ts';
import { createSimClock } from './sim-clock.ts';
import { SimKms } from './sim-kms.ts';
import { FaultInjector, type FaultKind } from './faults.ts';
import { awsProtocol } from './protocols/aws.ts';
import { tencentProtocol } from './protocols/tencent.ts';
import { huaweiProtocol } from './protocols/huawei.ts';
import type { Protocol, SimCredentials, WireReply, WireRequest } from './protocols/protocol.ts';

export type { SimCredentials } from './protocols/protocol.ts';

export interface SimulatorOptions {
  /** 0 = any free port. */
  port: number;
  stateDir: string;
  credentials: SimCredentials;
  /** How many simulated milliseconds pass per real millisecond (default 1). */
  clockSpeed?: number;
  /** Loopback only: 127.0.0.0/8 or ::1 (default 127.0.0.1). */
  host?: string;
  /** How long a `timeout` fault holds a request before dropping it (default 120 s). */
  faultHoldMs?: number;
}

export interface RunningSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  clock: { now(): Date; advance(ms: number): void };
}

const PROTOCOLS: Protocol[] = [awsProtocol, tencentProtocol, huaweiProtocol];
const MAX_BODY_BYTES = 1024 * 1024;
/** Faults that strike after the request was carried out (the reply is lost), as real networks do. */
const AFTER_EXECUTION: readonly FaultKind[] = ['timeout', 'malformed', 'drop'];

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: WireReply): void {
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
  response.end(reply.body);
}

function adminJson(status: number, body: unknown): WireReply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const clockSpeed = options.clockSpeed ?? 1;
  if (!(clockSpeed > 0 && Number.isFinite(clockSpeed))) throw new Error('clockSpeed must be a positive number.');
  const kms = new SimKms(options.stateDir, (notBefore) => createSimClock({ speed: clockSpeed, notBefore }));
  const faults = new FaultInjector();
  const faultHoldMs = options.faultHoldMs ?? 120_000;
  const sockets = new Set<Socket>();
  const holds = new Set<NodeJS.Timeout>();

  async function admin(request: WireRequest): Promise<WireReply> {
    const body = request.body.length === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>);
    if (request.method === 'POST' && request.path === '/__admin/clock') {
      const seconds = body.advanceSeconds;
      if (typeof seconds !== 'number' || !(seconds >= 0)) return adminJson(400, { error: 'advanceSeconds must be a number >= 0' });
      kms.clock.advance(seconds * 1000);
      kms.flush();
      return adminJson(200, { now: kms.clock.now().toISOString() });
    }
    if (request.method === 'POST' && request.path === '/__admin/faults') return adminJson(200, { faults: faults.configure(body) });
    if (request.method === 'GET' && request.path === '/__admin/state') return adminJson(200, { ...kms.summary(), clockSpeed, faults: faults.current() });
    return adminJson(404, { error: `no admin endpoint ${request.method} ${request.path}` });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const wire: WireRequest = { method: request.method ?? 'GET', path: url.pathname, search: url.search, headers: request.headers, body: await readBody(request) };
    if (wire.path.startsWith('/__admin/')) {
      try {
        send(response, await admin(wire));
      } catch (error) {
        send(response, adminJson(400, { error: error instanceof Error ? error.message : 'bad request' }));
      }
      return;
    }
    const protocol = PROTOCOLS.find((candidate) => candidate.matches(wire));
    if (protocol === undefined) {
      send(response, adminJson(404, { error: 'Not a KMS request: no X-Amz-Target, X-TC-Action or /v1.0/{project_id}/kms/ path.' }));
      return;
    }
    const requestId = randomUUID();
    const fault = faults.draw();
    if (fault === '5xx' || fault === 'throttle') {
      send(response, protocol.faultReply(fault, requestId));
      return;
    }
    const reply = await protocol.handle(wire, { kms, credentials: options.credentials, realNow: Date.now(), requestId });
    if (fault !== null && AFTER_EXECUTION.includes(fault)) {
      if (fault === 'malformed') send(response, protocol.faultReply('malformed', requestId));
      else if (fault === 'drop') request.socket.destroy();
      else {
        const hold = setTimeout(() => {
          holds.delete(hold);
          request.socket.destroy();
        }, faultHoldMs);
        holds.add(hold);
        request.socket.once('close', () => {
          clearTimeout(hold);
          holds.delete(hold);
        });
      }
      return;
    }
    send(response, reply);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, adminJson(500, { error: error instanceof Error ? error.message : 'internal error' }));
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The simulator did not get a TCP address.');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    clock: {
      now: () => kms.clock.now(),
      advance: (ms: number) => {
        kms.clock.advance(ms);
        kms.flush();
      },
    },
    close: async () => {
      for (const hold of holds) clearTimeout(hold);
      holds.clear();
      kms.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
