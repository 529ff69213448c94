// Import-parameter files as AWS and Tencent return them, around a wrapping key pair made here with
// node:crypto. The private key stays in the test, to unwrap what the app wrote (an independent check).
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface WrappingKeyPair {
  publicDer: Buffer;
  privateKey: KeyObject;
}

export function wrappingKeyPair(bits = 2048): WrappingKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { publicDer: publicKey.export({ format: 'der', type: 'spki' }), privateKey };
}

export function awsParams(pair: WrappingKeyPair, validTo: Date, keyId = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'): string {
  return JSON.stringify({ KeyId: keyId, ImportToken: randomBytes(256).toString('base64'), PublicKey: pair.publicDer.toString('base64'), ParametersValidTo: validTo.toISOString() }, null, 2);
}

export function tencentParams(pair: WrappingKeyPair, validTo: Date, keyId = '1b2c3d4e-0000-1111-2222-333344445555'): string {
  return JSON.stringify(
    { Response: { KeyId: keyId, ImportToken: randomBytes(256).toString('base64'), PublicKey: pair.publicDer.toString('base64'), ParametersValidTo: Math.floor(validTo.getTime() / 1000), RequestId: 'b5e0a3c4-1111-2222-3333-444455556666' } },
    null,
    2,
  );
}
