// Shared by the simulator tests: a simulator on a temp state folder, known credentials, and a local
// wrapper (node:crypto + OpenSSL's id-aes256-wrap-pad) that is independent of the core's wrap module.
import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator, type SimCredentials } from '../../../main/kms-sim/index.ts';

export const CREDENTIALS = {
  aws: { accessKeyId: 'AKIASIMULATOR0000001', secretAccessKey: 'sim/aws/secret+key/0000000000000000000000' },
  tencent: { secretId: 'AKIDsimulator000000000000000000001', secretKey: 'simTencentSecretKey00000000000001' },
  huawei: { ak: 'HSIMULATORAK0000001', sk: 'simHuaweiSecretKey0000000000000000000001', projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' },
} satisfies SimCredentials;

export interface SimHandle {
  sim: RunningSimulator;
  stateDir: string;
  advanceHours(hours: number): Promise<void>;
  admin(path: string, body?: unknown): Promise<Record<string, unknown>>;
  cleanup(): Promise<void>;
}

export async function startTestSimulator(stateDir = mkdtempSync(join(tmpdir(), 'kms-sim-'))): Promise<SimHandle> {
  const sim = await startSimulator({ port: 0, stateDir, credentials: CREDENTIALS, faultHoldMs: 5_000 });
  const admin = async (path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${sim.url}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    sim,
    stateDir,
    admin,
    advanceHours: async (hours) => {
      await admin('/__admin/clock', { advanceSeconds: hours * 3600 });
    },
    cleanup: async () => {
      await sim.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The parameter fields every provider's reply carries, read here without the core's parser. */
export function readParameters(text: string): { publicKeyDer: Buffer; importToken: Buffer; importTokenText: string } {
  const document = JSON.parse(text) as Record<string, unknown>;
  const fields = (document.Response ?? document) as Record<string, string>;
  const publicKey = fields.PublicKey ?? fields.public_key!;
  const token = fields.ImportToken ?? fields.import_token!;
  return { publicKeyDer: Buffer.from(publicKey, 'base64'), importToken: Buffer.from(token, 'base64'), importTokenText: token };
}

function rsaEncrypt(publicKeyDer: Buffer, scheme: 'oaep-sha1' | 'oaep-sha256' | 'pkcs1', data: Uint8Array): Buffer {
  const key = { key: publicKeyDer, format: 'der' as const, type: 'spki' as const };
  if (scheme === 'pkcs1') return publicEncrypt({ ...key, padding: constants.RSA_PKCS1_PADDING }, data);
  return publicEncrypt({ ...key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: scheme === 'oaep-sha1' ? 'sha1' : 'sha256' }, data);
}

function kwp(kek: Uint8Array, data: Uint8Array): Buffer {
  const cipher = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Direct RSA wrap of symmetric material. */
export function wrapDirect(publicKeyDer: Buffer, scheme: 'oaep-sha1' | 'oaep-sha256' | 'pkcs1', material: Uint8Array): Buffer {
  return rsaEncrypt(publicKeyDer, scheme, material);
}

/** Two-layer wrap: RSA-OAEP(ephemeral AES key) and AES-KWP(material). */
export function wrapTwoLayer(publicKeyDer: Buffer, hash: 'sha1' | 'sha256', material: Uint8Array): { encryptedAesKey: Buffer; wrappedMaterial: Buffer } {
  const aesKey = randomBytes(32);
  try {
    return { encryptedAesKey: rsaEncrypt(publicKeyDer, hash === 'sha1' ? 'oaep-sha1' : 'oaep-sha256', aesKey), wrappedMaterial: kwp(aesKey, material) };
  } finally {
    aesKey.fill(0);
  }
}
