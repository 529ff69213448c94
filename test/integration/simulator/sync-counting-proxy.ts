// A loopback proxy in front of the simulator that counts, per key, the import requests the simulator
// carried out (AWS ImportKeyMaterial, Tencent ImportKeyMaterial, Huawei import-key-material) — every
// one not turned away before execution by an injected 5xx or throttling reply (timeouts, drops and
// malformed replies strike after execution, as on real networks). Counted outside the client, so a
// second import of the same key cannot hide.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface CountingProxy {
  url: string;
  imports: Map<string, number>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const imports = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const isImport =
        incoming.headers['x-amz-target'] === 'TrentService.ImportKeyMaterial' ||
        incoming.headers['x-tc-action'] === 'ImportKeyMaterial' ||
        /\/kms\/import-key-material$/.test(incoming.url ?? '');
      const named = isImport ? (JSON.parse(body.toString('utf8')) as { KeyId?: string; key_id?: string }) : {};
      const keyId = String(named.KeyId ?? named.key_id ?? '?').split('/').pop()!;
      const count = () => imports.set(keyId, (imports.get(keyId) ?? 0) + 1);
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
        const replyChunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => replyChunks.push(chunk));
        reply.on('end', () => {
          const replyBody = Buffer.concat(replyChunks);
          const status = reply.statusCode ?? 0;
          const text = replyBody.toString('utf8');
          const turnedAway = status >= 500 || status === 429 || text.includes('ThrottlingException') || text.includes('"RequestLimitExceeded"');
          if (isImport && !turnedAway) count();
          outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
          outgoing.end(replyBody);
        });
        reply.on('error', () => {
          if (isImport) count();
          outgoing.destroy();
        });
      });
      forward.on('error', () => {
        if (isImport) count();
        outgoing.socket?.destroy();
      });
      forward.end(body);
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
    imports,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
