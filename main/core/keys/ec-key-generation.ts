// EC keys: the private scalar comes from our own health-tested draw (so operator entropy can be mixed in),
// reduced into [1, n-1] by @noble/curves' mapHashToField from getMinHashLength(n) bytes (48 for P-256,
// 72 for P-384: half again the scalar size, which makes the modulo bias negligible, FIPS 186-5 A.2.1),
// never by a plain `mod n` of n-sized input.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { getMinHashLength, mapHashToField } from '@noble/curves/abstract/modular.js';
import { p256, p384 } from '@noble/curves/nist.js';
import type { AsymmetricSpec, KeySpecName } from '../../../shared/key-specs.ts';
import { drawKeyMaterial } from '../entropy/index.ts';
import { zeroize } from '../secret.ts';
import type { GeneratedKey, GenerateOptions } from './generated-key.ts';
import { fingerprintOfSpki } from './key-check.ts';

const CURVES = Object.freeze({ 'P-256': p256, 'P-384': p384 });

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function generateEcKey(specName: KeySpecName, spec: AsymmetricSpec, options: GenerateOptions): GeneratedKey {
  const namedCurve = spec.namedCurve!;
  const curve = CURVES[namedCurve];
  const order = curve.Point.Fn.ORDER;
  const { material: seed, evidence } = drawKeyMaterial(getMinHashLength(order), options);
  let scalar: Uint8Array | undefined;
  try {
    scalar = mapHashToField(seed, order);
    const point = curve.getPublicKey(scalar, false); // 0x04 || x || y
    const coordinateBytes = (point.length - 1) / 2;
    // node:crypto takes the scalar as a JWK string and keeps the key in an OpenSSL object: neither can be
    // zeroed from JavaScript. Both are local to this call and dropped at its end.
    const privateKey = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: namedCurve,
        d: base64url(scalar),
        x: base64url(point.subarray(1, 1 + coordinateBytes)),
        y: base64url(point.subarray(1 + coordinateBytes)),
      },
    });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const material = new Uint8Array(pkcs8);
    pkcs8.fill(0);
    const publicKeySpki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
    return { spec: specName, material, check: fingerprintOfSpki(publicKeySpki), publicKeySpki, entropy: evidence };
  } finally {
    zeroize(seed, scalar);
  }
}
