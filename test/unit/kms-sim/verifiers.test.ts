import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { sdkHmacSignature } from '../../../main/kms-sim/verify/sdk-hmac.ts';
import { verifySigV4, type SignedRequest } from '../../../main/kms-sim/verify/sigv4.ts';
import { tc3Signature } from '../../../main/kms-sim/verify/tc3.ts';

describe('the simulator signature verifiers', () => {
  it('computes the published Huawei SDK-HMAC-SHA256 vector', () => {
    const stringToSign = 'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a';
    expect(sdkHmacSignature('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', stringToSign)).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
  });

  it('computes the published Tencent TC3-HMAC-SHA256 worked example', () => {
    expect(
      tc3Signature({
        secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
        timestamp: 1551113065,
        service: 'cvm',
        canonicalRequestHash: '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
      }),
    ).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
  });

  it('accepts a real request signed by the AWS SDK and refuses it once the body or secret changes', async () => {
    const captured = await new Promise<SignedRequest>((resolve, reject) => {
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const url = new URL(request.url ?? '/', 'http://x');
          resolve({ method: request.method ?? '', path: url.pathname, search: url.search, headers: request.headers, body: Buffer.concat(chunks) });
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{"Keys":[],"Truncated":false}');
          server.close();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        const client = new KMSClient({ region: 'ap-southeast-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, maxAttempts: 1 });
        client.send(new ListKeysCommand({ Limit: 5 })).catch(reject);
      });
    });
    const secrets = (id: string): string | undefined => (id === 'AKIDEXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' : undefined);
    expect(verifySigV4(captured, secrets, Date.now())).toEqual({ ok: true, value: { accessKeyId: 'AKIDEXAMPLE', region: 'ap-southeast-1' } });
    expect(verifySigV4({ ...captured, body: Buffer.from('{"Limit":6}') }, secrets, Date.now())).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifySigV4(captured, () => 'another-secret', Date.now())).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifySigV4(captured, () => undefined, Date.now())).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(verifySigV4(captured, secrets, Date.now() + 60 * 60 * 1000)).toMatchObject({ ok: false, reason: 'expired' });
  });
});
