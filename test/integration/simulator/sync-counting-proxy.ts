// A loopback proxy in front of the simulator that counts, per key, the import requests the simulator
// carried out (AWS ImportKeyMaterial, Tencent ImportKeyMaterial, Huawei import-key-material) — every
// one not turned away before execution by an injected 5xx or throttling reply (timeouts, drops and
// malformed replies strike after execution, as on real networks). Counted outside the client, so a
// second import of the same key cannot hide. Each carried-out import is also logged with a digest of
// the wrapped material it carried and what its reply was: 'ok' (the provider's success went back to the
// client), 'refused' (the provider's error went back) or 'lost' (the connection dropped, or the reply was
// not the provider's JSON: the client could not know the import happened).
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Socket } from 'node:net';

export type ImportReply = 'ok' | 'refused' | 'lost';

export interface CountingProxy {
  url: string;
  imports: Map<string, number>;
  /** Per key, every carried-out import in order: the wrapped material's digest and the reply's fate. */
  importLog: Map<string, Array<{ material: string; reply: ImportReply }>>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const imports = new Map<string, number>();
  const importLog = new Map<string, Array<{ material: string; reply: ImportReply }>>();
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
      const named = isImport ? (JSON.parse(body.toString('utf8')) as { KeyId?: string; key_id?: string; EncryptedKeyMaterial?: string; encrypted_key_material?: string; encrypted_privatekey?: string }) : {};
      const keyId = String(named.KeyId ?? named.key_id ?? '?').split('/').pop()!;
      const material = createHash('sha256').update(`${named.EncryptedKeyMaterial ?? named.encrypted_key_material ?? ''}|${named.encrypted_privatekey ?? ''}`).digest('hex');
      const count = (reply: ImportReply = 'lost') => {
        imports.set(keyId, (imports.get(keyId) ?? 0) + 1);
        importLog.set(keyId, [...(importLog.get(keyId) ?? []), { material, reply }]);
      };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
        const replyChunks: Buffer[] = [];
        reply.on('data', (chunk: Buffer) => replyChunks.push(chunk));
        reply.on('end', () => {
          const replyBody = Buffer.concat(replyChunks);
          const status = reply.statusCode ?? 0;
          const text = replyBody.toString('utf8');
          const turnedAway = status >= 500 || status === 429 || text.includes('ThrottlingException') || text.includes('"RequestLimitExceeded"');
          if (isImport && !turnedAway) count(replyOf(status, text));
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
    importLog,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** What the client got back from a carried-out import: the provider's success, its error, or nothing usable. */
function replyOf(status: number, text: string): ImportReply {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'lost';
  }
  if (document === null || typeof document !== 'object') return 'lost';
  const fields = document as { Response?: { Error?: unknown }; __type?: unknown; error_code?: unknown; error?: unknown };
  if (status !== 200 || fields.Response?.Error !== undefined || fields.__type !== undefined || fields.error_code !== undefined || fields.error !== undefined) return 'refused';
  return 'ok';
}
