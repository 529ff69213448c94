// The simulated KMS itself, provider-neutral: keys, import parameters, imports, deletions, expiry.
// Each rule failure is a `SimRefusal` with a neutral reason; each protocol turns reasons into its own
// provider's error codes with one table (see protocols/*.ts).
import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { SimStore, type SimKey, type SimParameters, type SimProvider, type SimState } from './state-store.ts';
import { rsaDecrypt, unwrapConcatenated, unwrapTwoFields } from './unwrap.ts';
import type { SimClock } from './sim-clock.ts';
import { WrappingKeyPool } from './wrapping-key-pool.ts';

export const PARAMETERS_VALIDITY_MS = 24 * 60 * 60 * 1000;
/** Parameters past their validity are kept this long (to answer "expired" rather than "unknown"). */
const PARAMETERS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export type RefusalReason =
  | 'NotFound'
  | 'InvalidState'
  | 'NotPendingImport'
  | 'TokenUnknown'
  | 'TokenExpired'
  | 'TokenKeyMismatch'
  | 'TokenSuperseded'
  | 'MaterialMismatch'
  | 'MaterialInvalid'
  | 'CiphertextInvalid'
  | 'PrivateKeyMissing'
  | 'PrivateKeyInvalid'
  | 'ValidToInvalid'
  | 'AlgorithmUnsupported'
  | 'SpecUnsupported'
  | 'CannotDeleteAsymmetric'
  | 'Validation';

export class SimRefusal extends Error {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

type Unwrapper = (privateKey: KeyObject, wrapped: WrappedInput) => Uint8Array | null;

export type WrappedInput = { encryptedKeyMaterial: Uint8Array; encryptedPrivateKey?: Uint8Array };

/**
 * Which wrapping algorithms each provider accepts, for which key kinds, and how to unwrap them.
 * AWS: RSAES_OAEP_* cannot carry an RSA private key (too long for one RSA block); RSA_AES_KEY_WRAP_* can
 * carry anything. Huawei: RSAES_OAEP_SHA_256 only (SM2_ENCRYPT is regional and not simulated);
 * asymmetric keys arrive as two fields. Tencent: symmetric only, three RSA schemes.
 */
const ACCEPTED: Record<SimProvider, Record<string, { kinds: SimKey['kind'][]; unwrap: Unwrapper }>> = {
  aws: {
    RSAES_OAEP_SHA_1: { kinds: ['symmetric'], unwrap: (k, w) => rsaDecrypt(k, 'oaep-sha1', w.encryptedKeyMaterial) },
    RSAES_OAEP_SHA_256: { kinds: ['symmetric'], unwrap: (k, w) => rsaDecrypt(k, 'oaep-sha256', w.encryptedKeyMaterial) },
    RSA_AES_KEY_WRAP_SHA_1: { kinds: ['symmetric', 'rsa', 'ec'], unwrap: (k, w) => unwrapConcatenated(k, 'sha1', w.encryptedKeyMaterial) },
    RSA_AES_KEY_WRAP_SHA_256: { kinds: ['symmetric', 'rsa', 'ec'], unwrap: (k, w) => unwrapConcatenated(k, 'sha256', w.encryptedKeyMaterial) },
  },
  huawei: {
    RSAES_OAEP_SHA_256: {
      kinds: ['symmetric', 'rsa', 'ec'],
      unwrap: (k, w) =>
        w.encryptedPrivateKey === undefined
          ? rsaDecrypt(k, 'oaep-sha256', w.encryptedKeyMaterial)
          : unwrapTwoFields(k, 'sha256', w.encryptedKeyMaterial, w.encryptedPrivateKey),
    },
  },
  tencent: {
    RSAES_PKCS1_V1_5: { kinds: ['symmetric'], unwrap: (k, w) => rsaDecrypt(k, 'pkcs1', w.encryptedKeyMaterial) },
    RSAES_OAEP_SHA_1: { kinds: ['symmetric'], unwrap: (k, w) => rsaDecrypt(k, 'oaep-sha1', w.encryptedKeyMaterial) },
    RSAES_OAEP_SHA_256: { kinds: ['symmetric'], unwrap: (k, w) => rsaDecrypt(k, 'oaep-sha256', w.encryptedKeyMaterial) },
  },
};

/**
 * Key states in which material may be (re)imported. AWS now documents re-importing the same material to
 * change its expiry (so Enabled and Disabled too); Tencent documents Enabled and PendingImport; Huawei
 * answers KMS.0310 unless the key is pending import.
 */
const IMPORTABLE_STATES: Record<SimProvider, readonly SimKey['state'][]> = {
  aws: ['PendingImport', 'Enabled', 'Disabled'],
  tencent: ['PendingImport', 'Enabled'],
  huawei: ['PendingImport'],
};

const WRAPPING_KEY_SPECS: Record<SimProvider, Record<string, number>> = {
  aws: { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 },
  huawei: { RSA_2048: 2048 },
  tencent: { RSA_2048: 2048 },
};

export interface NewKey {
  provider: SimProvider;
  alias: string;
  description: string;
  providerSpec: string;
  kind: SimKey['kind'];
  size: number;
  keyUsage: string;
}

export interface ImportRequest {
  provider: SimProvider;
  keyId: string;
  importToken: Uint8Array;
  wrapped: WrappedInput;
  /** Epoch milliseconds, or null for material that does not expire. */
  validTo: number | null;
  /** Latest allowed expiry (epoch ms), provider-specific; null = no limit. */
  validToLimit: number | null;
}

export class SimKms {
  private readonly store: SimStore;
  private readonly state: SimState;
  readonly clock: SimClock;
  private readonly wrappingKeys = new WrappingKeyPool();

  constructor(stateDir: string, makeClock: (notBefore: number) => SimClock) {
    this.store = new SimStore(stateDir);
    this.state = this.store.state;
    this.clock = makeClock(this.state.lastSimNow);
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** Parameters long past their validity are forgotten (an old token then reads as unknown). */
  private pruneParameters(): void {
    const now = this.now();
    for (const [tokenId, parameters] of Object.entries(this.state.parameters)) {
      if (parameters.validTo + PARAMETERS_RETENTION_MS < now) this.store.dropParameters(tokenId);
    }
  }

  /** Material whose expiry has passed is deleted: the key goes back to Pending import. */
  private settle(key: SimKey): SimKey {
    if (key.materialPresent && key.validTo !== null && this.now() >= key.validTo) {
      key.materialPresent = false;
      key.validTo = null;
      if (key.state === 'Enabled' || key.state === 'Disabled') key.state = 'PendingImport';
      this.store.saveKey(key);
    }
    return key;
  }

  key(provider: SimProvider, keyId: string): SimKey {
    const key = this.state.keys[keyId];
    if (key === undefined || key.provider !== provider) throw new SimRefusal('NotFound', `Key ${keyId} does not exist.`);
    return this.settle(key);
  }

  keys(provider: SimProvider): SimKey[] {
    return Object.values(this.state.keys)
      .filter((key) => key.provider === provider)
      .map((key) => this.settle(key));
  }

  createKey(input: NewKey): SimKey {
    const key: SimKey = {
      ...input,
      keyId: randomUUID(),
      origin: 'EXTERNAL',
      createdAt: this.now(),
      state: 'PendingImport',
      materialSha256: null,
      materialPresent: false,
      validTo: null,
      publicKeySpki: null,
      latestTokenId: null,
    };
    this.store.saveKey(key);
    return { ...key };
  }

  async getParameters(input: { provider: SimProvider; keyId: string; wrappingAlgorithm: string; wrappingKeySpec: string }): Promise<{ parameters: SimParameters; importToken: Buffer }> {
    const key = this.key(input.provider, input.keyId);
    if (key.state === 'PendingDeletion') throw new SimRefusal('InvalidState', `Key ${key.keyId} is pending deletion.`);
    const accepted = ACCEPTED[input.provider][input.wrappingAlgorithm];
    if (accepted === undefined) throw new SimRefusal('AlgorithmUnsupported', `Wrapping algorithm ${input.wrappingAlgorithm} is not supported.`);
    if (!accepted.kinds.includes(key.kind)) {
      throw new SimRefusal('AlgorithmUnsupported', `Wrapping algorithm ${input.wrappingAlgorithm} cannot carry ${key.providerSpec} key material.`);
    }
    const modulusLength = WRAPPING_KEY_SPECS[input.provider][input.wrappingKeySpec];
    if (modulusLength === undefined) throw new SimRefusal('SpecUnsupported', `Wrapping key spec ${input.wrappingKeySpec} is not supported.`);
    const pair = await this.wrappingKeys.take(modulusLength);
    const importToken = randomBytes(192);
    const now = this.now();
    const parameters: SimParameters = {
      tokenId: createHash('sha256').update(importToken).digest('hex'),
      keyId: key.keyId,
      provider: input.provider,
      wrappingAlgorithm: input.wrappingAlgorithm,
      wrappingKeySpec: input.wrappingKeySpec,
      wrappingPrivateKeyPem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      wrappingPublicKeySpki: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      issuedAt: now,
      validTo: now + PARAMETERS_VALIDITY_MS,
    };
    this.pruneParameters();
    this.store.saveParameters(parameters);
    key.latestTokenId = parameters.tokenId;
    this.store.saveKey(key);
    return { parameters, importToken };
  }

  importMaterial(request: ImportRequest): SimKey {
    const key = this.key(request.provider, request.keyId);
    const tokenId = createHash('sha256').update(request.importToken).digest('hex');
    const parameters = this.state.parameters[tokenId];
    if (parameters === undefined || parameters.provider !== request.provider) {
      throw new SimRefusal('TokenUnknown', 'The import token is not valid.');
    }
    if (parameters.keyId !== key.keyId) throw new SimRefusal('TokenKeyMismatch', 'The import token was issued for a different key.');
    const now = this.now();
    if (now >= parameters.validTo) throw new SimRefusal('TokenExpired', 'The import token has expired; get new import parameters.');
    if (request.provider === 'tencent' && key.latestTokenId !== tokenId) {
      throw new SimRefusal('TokenSuperseded', 'Newer import parameters were issued for this key; only the latest are valid.');
    }
    if (!IMPORTABLE_STATES[request.provider].includes(key.state)) throw new SimRefusal('NotPendingImport', `Key ${key.keyId} is ${key.state}; material cannot be imported now.`);
    // Huawei's imported RSA/EC keys never expire. Unconfirmed whether the service refuses or ignores an
    // expiration_time for them: the simulator ignores it (the key reads back with no expiry).
    const neverExpires = request.provider === 'huawei' && key.kind !== 'symmetric';
    const validTo = neverExpires ? null : request.validTo;
    if (validTo !== null && (validTo <= now || (request.validToLimit !== null && validTo > request.validToLimit))) {
      throw new SimRefusal('ValidToInvalid', 'The material expiry must be in the future and within the provider\'s limit.');
    }
    const accepted = ACCEPTED[request.provider][parameters.wrappingAlgorithm];
    if (accepted === undefined) throw new SimRefusal('AlgorithmUnsupported', 'Unsupported wrapping algorithm.');
    if (request.provider === 'huawei' && key.kind !== 'symmetric' && request.wrapped.encryptedPrivateKey === undefined) {
      throw new SimRefusal('PrivateKeyMissing', 'An asymmetric key needs encrypted_privatekey.');
    }
    const material = accepted.unwrap(createPrivateKey(parameters.wrappingPrivateKeyPem), request.wrapped);
    if (material === null) {
      throw key.kind === 'symmetric'
        ? new SimRefusal('CiphertextInvalid', 'The wrapped key material could not be decrypted with the wrapping key.')
        : new SimRefusal('PrivateKeyInvalid', 'The wrapped private key could not be decrypted with the wrapping key.');
    }
    try {
      const publicKeySpki = checkMaterial(key, material);
      const digest = createHash('sha256').update(material).digest('hex');
      if (key.materialSha256 !== null && key.materialSha256 !== digest) {
        throw new SimRefusal('MaterialMismatch', 'The key material differs from the material imported before.');
      }
      key.materialSha256 = digest;
      key.materialPresent = true;
      if (key.state !== 'Disabled') key.state = 'Enabled';
      key.validTo = validTo;
      key.publicKeySpki = publicKeySpki;
      this.store.saveKey(key);
      return { ...key };
    } finally {
      material.fill(0);
    }
  }

  deleteMaterial(provider: SimProvider, keyId: string): SimKey {
    const key = this.key(provider, keyId);
    if (provider === 'huawei' && key.kind !== 'symmetric') {
      throw new SimRefusal('CannotDeleteAsymmetric', 'Imported private key material cannot be deleted.');
    }
    if (key.state !== 'Enabled' && key.state !== 'Disabled') {
      throw new SimRefusal('InvalidState', `Key ${key.keyId} is ${key.state}; only Enabled or Disabled keys can have their material deleted.`);
    }
    key.materialPresent = false;
    key.validTo = null;
    key.state = 'PendingImport';
    this.store.saveKey(key);
    return { ...key };
  }

  summary(): { now: string; keys: Array<Record<string, unknown>>; parameters: number } {
    return {
      now: this.clock.now().toISOString(),
      keys: Object.values(this.state.keys).map((stored) => {
        const key = this.settle(stored);
        return {
          provider: key.provider,
          keyId: key.keyId,
          alias: key.alias,
          spec: key.providerSpec,
          state: key.state,
          materialPresent: key.materialPresent,
          everImported: key.materialSha256 !== null,
          validTo: key.validTo === null ? null : new Date(key.validTo).toISOString(),
        };
      }),
      parameters: Object.keys(this.state.parameters).length,
    };
  }

  /** Records the clock reading, so that a restart does not go back in simulated time. */
  flush(): void {
    this.store.saveClock(this.now());
  }
}

/** Checks the unwrapped material fits the key; returns the public key (base64 SPKI) of asymmetric keys. */
function checkMaterial(key: SimKey, material: Uint8Array): string | null {
  if (key.kind === 'symmetric') {
    if (material.length !== key.size) throw new SimRefusal('MaterialInvalid', `The key material must be ${key.size} bytes.`);
    return null;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(material), format: 'der', type: 'pkcs8' });
  } catch {
    throw new SimRefusal('PrivateKeyInvalid', 'The key material is not a PKCS#8 DER private key.');
  }
  const details = privateKey.asymmetricKeyDetails ?? {};
  const fits =
    key.kind === 'rsa'
      ? privateKey.asymmetricKeyType === 'rsa' && details.modulusLength === key.size
      : privateKey.asymmetricKeyType === 'ec' && details.namedCurve === (key.size === 256 ? 'prime256v1' : 'secp384r1');
  if (!fits) throw new SimRefusal('PrivateKeyInvalid', `The private key does not match the key spec ${key.providerSpec}.`);
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
}
