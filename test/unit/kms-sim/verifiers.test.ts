import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../../../main/core/kms/index.ts';
import { sdkHmacSignature, verifySdkHmac } from '../../../main/kms-sim/verify/sdk-hmac.ts';
import { verifySigV4, type SignedRequest } from '../../../main/kms-sim/verify/sigv4.ts';
import { tc3Signature, verifyTc3 } from '../../../main/kms-sim/verify/tc3.ts';

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

describe('the simulator verifiers against the real client requests', () => {
  async function capture(send: (url: string) => Promise<unknown>): Promise<SignedRequest> {
    return new Promise<SignedRequest>((resolve, reject) => {
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const url = new URL(request.url ?? '/', 'http://x');
          resolve({ method: request.method ?? '', path: url.pathname, search: url.search, headers: request.headers, body: Buffer.concat(chunks) });
          response.writeHead(200, { 'content-type': 'application/json' }).end('{"Response":{"Keys":[],"TotalCount":0,"RequestId":"r"},"keys":[],"key_details":[],"truncated":"false"}');
          server.close();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        send(`http://127.0.0.1:${port}`).catch(reject);
      });
    });
  }

  it('accepts a TC3 request from the Tencent SDK and refuses a changed body', async () => {
    const captured = await capture((url) => createAdapter({ type: 'tencent', region: 'ap-guangzhou', endpoint: url }, { accessKeyId: 'AKIDtc3', secret: 'tc3-secret' }).listKeys());
    expect(captured.headers.host).toBe('kms.tencentcloudapi.com');
    const secrets = (id: string): string | undefined => (id === 'AKIDtc3' ? 'tc3-secret' : undefined);
    expect(verifyTc3(captured, secrets, Date.now())).toEqual({ ok: true, value: { secretId: 'AKIDtc3', service: 'kms' } });
    expect(verifyTc3({ ...captured, body: Buffer.from('{"Offset":1,"Limit":200}') }, secrets, Date.now())).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyTc3(captured, () => 'other', Date.now())).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('accepts an SDK-HMAC-SHA256 request from the Huawei client and refuses a changed body', async () => {
    const captured = await capture((url) => createAdapter({ type: 'huawei', region: 'r', projectId: 'p1', endpoint: url }, { accessKeyId: 'HAK', secret: 'h-secret' }).listKeys());
    expect(captured.path).toBe('/v1.0/p1/kms/list-keys');
    const secrets = (id: string): string | undefined => (id === 'HAK' ? 'h-secret' : undefined);
    expect(verifySdkHmac(captured, secrets, Date.now())).toEqual({ ok: true, value: { accessKey: 'HAK' } });
    expect(verifySdkHmac({ ...captured, body: Buffer.from('{"limit":"1"}') }, secrets, Date.now())).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifySdkHmac(captured, () => undefined, Date.now())).toMatchObject({ ok: false, reason: 'unknown-key' });
  });
});
