// A loopback proxy in front of the simulator that can, per KMS operation, lose the reply of a request
// the simulator carried out (the connection is cut after execution: a crash or a network failure right
// after the KMS acted), turn a request away before it reaches the simulator (a 5xx), or refuse it as the
// provider refuses credentials (which the sync engine treats as "keep the job queued").
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';

export type Interception = 'lose-reply' | 'turn-away' | 'refuse-credentials';

export interface InterceptingProxy {
  url: string;
  /** Operation names as the provider spells them: CreateKey, ImportKeyMaterial, create-key, ... */
  intercept(operation: string, what: Interception | null): void;
  /** How many requests of each operation reached the simulator. */
  executed: Map<string, number>;
  close(): Promise<void>;
}

function operationOf(headers: Record<string, string | string[] | undefined>, url: string): { provider: 'aws' | 'tencent' | 'huawei'; operation: string } {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return { provider: 'aws', operation: target.replace(/^TrentService\./, '') };
  const action = headers['x-tc-action'];
  if (typeof action === 'string') return { provider: 'tencent', operation: action };
  return { provider: 'huawei', operation: url.split('/').pop() ?? '' };
}

const REFUSALS = {
  aws: { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'AccessDeniedException', message: 'Access denied (proxy).' }) },
  tencent: { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Response: { Error: { Code: 'AuthFailure.UnauthorizedOperation', Message: 'Unauthorized (proxy).' }, RequestId: 'proxy' } }) },
  huawei: { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information (proxy).' }) },
};

export async function startInterceptingProxy(target: string): Promise<InterceptingProxy> {
  const upstream = new URL(target);
  const rules = new Map<string, Interception>();
  const executed = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const { provider, operation } = operationOf(incoming.headers, incoming.url ?? '');
      const rule = rules.get(operation);
      if (rule === 'turn-away') {
        outgoing.writeHead(503, { 'content-type': 'text/plain' });
        outgoing.end('Service Unavailable (proxy)');
        return;
      }
      if (rule === 'refuse-credentials') {
        const refusal = REFUSALS[provider];
        outgoing.writeHead(refusal.status, refusal.headers);
        outgoing.end(refusal.body);
        return;
      }
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
        const replyChunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => replyChunks.push(chunk));
        reply.on('end', () => {
          executed.set(operation, (executed.get(operation) ?? 0) + 1);
          if (rule === 'lose-reply') {
            incoming.socket.destroy();
            return;
          }
          outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
          outgoing.end(Buffer.concat(replyChunks));
        });
      });
      forward.on('error', () => incoming.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    executed,
    intercept(operation, what) {
      if (what === null) rules.delete(operation);
      else rules.set(operation, what);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
