// The provider table: which KMS takes which key spec, wrapped how, with which wrapping key. Code asks
// this table (acceptedAlgorithms, isAccepted, outputLayout, ...); it never switches on provider names.
// Facts come from ../PROVIDERS.md; where the sources did not settle a point the entry says so and the
// decision is the conservative one (refuse rather than produce a file the provider might reject).
// No Node or DOM APIs here: the renderer imports this table too.
import { ByokError } from './errors.ts';
import type { KeySpecName } from './key-specs.ts';

export const PROVIDER_IDS = ['huawei', 'tencent', 'aws', 'gcp', 'azure'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const WRAPPING_ALGORITHMS = [
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSAES_PKCS1_V1_5',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

/** 'single': one blob (RSA ciphertext, or RSA ciphertext ‖ AES-KWP ciphertext). 'split': Huawei's two fields. */
export type OutputLayout = 'single' | 'split';

export interface WrappingAlgorithmFacts {
  /** 'rsa-oaep' and 'rsa-pkcs1' encrypt the material directly; 'rsa-aes' is the two-layer wrap. */
  scheme: 'rsa-oaep' | 'rsa-pkcs1' | 'rsa-aes';
  /** OAEP hash, also MGF1's hash; null for PKCS#1 v1.5. */
  hash: 'sha1' | 'sha256' | null;
  /** Kept only for a provider that still requires it; shown with a warning. */
  legacy: boolean;
}

export const WRAPPING_ALGORITHM_FACTS: Readonly<Record<WrappingAlgorithm, WrappingAlgorithmFacts>> = Object.freeze({
  RSAES_OAEP_SHA_1: { scheme: 'rsa-oaep', hash: 'sha1', legacy: false },
  RSAES_OAEP_SHA_256: { scheme: 'rsa-oaep', hash: 'sha256', legacy: false },
  RSAES_PKCS1_V1_5: { scheme: 'rsa-pkcs1', hash: null, legacy: true },
  RSA_AES_KEY_WRAP_SHA_1: { scheme: 'rsa-aes', hash: 'sha1', legacy: false },
  RSA_AES_KEY_WRAP_SHA_256: { scheme: 'rsa-aes', hash: 'sha256', legacy: false },
});

export interface SpecImport {
  algorithms: readonly WrappingAlgorithm[];
  layout: OutputLayout;
  /**
   * The `wrapping_algorithm` the provider's get-parameters call takes for this spec when it differs
   * from our algorithm name (Huawei asks for RSAES_OAEP_SHA_256 parameters for its two-field form).
   */
  parametersAlgorithm?: string;
}

export interface MaterialExpiryRule {
  /** The provider's import call takes an expiry for the material at all. */
  supported: boolean;
  /** Latest expiry relative to now, in days (AWS: 365). */
  maxDaysAhead?: number;
  /** Latest expiry as unix seconds (Tencent: 2147443200). */
  maxUnixSeconds?: number;
  /** Key families whose imported material never expires at this provider (Huawei: RSA, EC). */
  neverExpiresFamilies?: readonly ('AES' | 'SM4' | 'HMAC' | 'RSA' | 'EC')[];
}

export interface ProviderFacts {
  displayName: string;
  /** 'connected': an adapter can import online; 'offline-only': we write files for the user's own tools. */
  connectivity: 'connected' | 'offline-only';
  /** How long fresh import parameters stay valid; null when the provider sets no deadline (Azure KEK). */
  parametersValidityHours: number | null;
  wrappingKeySpecs: readonly WrappingKeySpec[];
  specs: Readonly<Partial<Record<KeySpecName, SpecImport>>>;
  materialExpiry: MaterialExpiryRule;
}

const OAEP_BOTH: readonly WrappingAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
const RSA_AES_BOTH: readonly WrappingAlgorithm[] = ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];

const huaweiSplit: SpecImport = { algorithms: ['RSA_AES_KEY_WRAP_SHA_256'], layout: 'split', parametersAlgorithm: 'RSAES_OAEP_SHA_256' };
const huaweiDirect: SpecImport = { algorithms: ['RSAES_OAEP_SHA_256'], layout: 'single' };
const tencentDirect: SpecImport = { algorithms: [...OAEP_BOTH, 'RSAES_PKCS1_V1_5'], layout: 'single' };
const awsSymmetric: SpecImport = { algorithms: [...OAEP_BOTH, ...RSA_AES_BOTH], layout: 'single' };
const awsAsymmetric: SpecImport = { algorithms: RSA_AES_BOTH, layout: 'single' };
const gcpSymmetric: SpecImport = { algorithms: ['RSAES_OAEP_SHA_256', ...RSA_AES_BOTH], layout: 'single' };
const gcpAsymmetric: SpecImport = { algorithms: RSA_AES_BOTH, layout: 'single' };
const azureAny: SpecImport = { algorithms: ['RSA_AES_KEY_WRAP_SHA_1'], layout: 'single' };

export const PROVIDERS: Readonly<Record<ProviderId, ProviderFacts>> = Object.freeze({
  huawei: {
    displayName: 'Huawei Cloud KMS',
    connectivity: 'connected',
    parametersValidityHours: 24,
    // Unconfirmed: the API says the public key is "RSA-2048 by default" and encrypted_key_material is
    // 344–360 base64 characters (one RSA-2048 ciphertext), so larger wrapping keys are refused.
    wrappingKeySpecs: ['RSA_2048'],
    // No HMAC, no AES_128. SM2 wrapping (SM2_ENCRYPT) is left out: its ciphertext encoding is unconfirmed.
    specs: {
      AES_256: huaweiDirect,
      SM4: huaweiDirect,
      RSA_2048: huaweiSplit,
      RSA_3072: huaweiSplit,
      RSA_4096: huaweiSplit,
      EC_P256: huaweiSplit,
      EC_P384: huaweiSplit,
    },
    materialExpiry: { supported: true, neverExpiresFamilies: ['RSA', 'EC'] },
  },
  tencent: {
    displayName: 'Tencent Cloud KMS',
    connectivity: 'connected',
    parametersValidityHours: 24,
    wrappingKeySpecs: ['RSA_2048'],
    // Symmetric only: 256-bit in FIPS regions, 128-bit (SM4) in SM-crypto regions. PKCS#1 v1.5 is
    // still offered by Tencent and only there; it is flagged legacy.
    specs: { AES_256: tencentDirect, SM4: tencentDirect },
    materialExpiry: { supported: true, maxUnixSeconds: 2147443200 },
  },
  aws: {
    displayName: 'AWS KMS',
    connectivity: 'connected',
    parametersValidityHours: 24,
    wrappingKeySpecs: ['RSA_2048', 'RSA_3072', 'RSA_4096'],
    // RSAES_PKCS1_V1_5 is no longer accepted; SM2PKE (China regions) is left out, encoding unconfirmed.
    // RSA and EC private keys need the two-layer RSA_AES_KEY_WRAP_*.
    specs: {
      AES_256: awsSymmetric,
      HMAC_224: awsSymmetric,
      HMAC_256: awsSymmetric,
      HMAC_384: awsSymmetric,
      HMAC_512: awsSymmetric,
      RSA_2048: awsAsymmetric,
      RSA_3072: awsAsymmetric,
      RSA_4096: awsAsymmetric,
      EC_P256: awsAsymmetric,
      EC_P384: awsAsymmetric,
    },
    materialExpiry: { supported: true, maxDaysAhead: 365 },
  },
  gcp: {
    displayName: 'Google Cloud KMS',
    connectivity: 'offline-only',
    parametersValidityHours: 72,
    // Import methods RSA_OAEP_{3072,4096}_{SHA1,SHA256}_AES_256 (two-layer, any spec) and
    // RSA_OAEP_{3072,4096}_SHA256 (direct, symmetric only); see GCP_IMPORT_METHODS.
    wrappingKeySpecs: ['RSA_3072', 'RSA_4096'],
    // SM4 is not a Google key type.
    specs: {
      AES_128: gcpSymmetric,
      AES_256: gcpSymmetric,
      HMAC_224: gcpSymmetric,
      HMAC_256: gcpSymmetric,
      HMAC_384: gcpSymmetric,
      HMAC_512: gcpSymmetric,
      RSA_2048: gcpAsymmetric,
      RSA_3072: gcpAsymmetric,
      RSA_4096: gcpAsymmetric,
      EC_P256: gcpAsymmetric,
      EC_P384: gcpAsymmetric,
    },
    // ImportCryptoKeyVersion takes no material expiry.
    materialExpiry: { supported: false },
  },
  azure: {
    displayName: 'Azure Key Vault',
    connectivity: 'offline-only',
    parametersValidityHours: null,
    wrappingKeySpecs: ['RSA_2048', 'RSA_3072', 'RSA_4096'],
    // CKM_RSA_AES_KEY_WRAP with RSA-OAEP SHA-1, concatenated, in a .byok file. Only AES_256 among the
    // symmetric specs (Managed HSM); HMAC is not an Azure key type.
    specs: {
      AES_256: azureAny,
      RSA_2048: azureAny,
      RSA_3072: azureAny,
      RSA_4096: azureAny,
      EC_P256: azureAny,
      EC_P384: azureAny,
    },
    // The .byok import takes no material expiry (a key's `exp` attribute is a different thing).
    materialExpiry: { supported: false },
  },
});

/** GCP import job methods: the wrapping key size they imply and the algorithm we use for them. */
export const GCP_IMPORT_METHODS: Readonly<Record<string, { wrappingKeySpec: WrappingKeySpec; algorithm: WrappingAlgorithm }>> =
  Object.freeze({
    RSA_OAEP_3072_SHA1_AES_256: { wrappingKeySpec: 'RSA_3072', algorithm: 'RSA_AES_KEY_WRAP_SHA_1' },
    RSA_OAEP_4096_SHA1_AES_256: { wrappingKeySpec: 'RSA_4096', algorithm: 'RSA_AES_KEY_WRAP_SHA_1' },
    RSA_OAEP_3072_SHA256_AES_256: { wrappingKeySpec: 'RSA_3072', algorithm: 'RSA_AES_KEY_WRAP_SHA_256' },
    RSA_OAEP_4096_SHA256_AES_256: { wrappingKeySpec: 'RSA_4096', algorithm: 'RSA_AES_KEY_WRAP_SHA_256' },
    RSA_OAEP_3072_SHA256: { wrappingKeySpec: 'RSA_3072', algorithm: 'RSAES_OAEP_SHA_256' },
    RSA_OAEP_4096_SHA256: { wrappingKeySpec: 'RSA_4096', algorithm: 'RSAES_OAEP_SHA_256' },
  });

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

export function isWrappingAlgorithm(value: string): value is WrappingAlgorithm {
  return (WRAPPING_ALGORITHMS as readonly string[]).includes(value);
}

export function wrappingKeySpecForBits(bits: number): WrappingKeySpec | null {
  const name = `RSA_${bits}`;
  return (WRAPPING_KEY_SPECS as readonly string[]).includes(name) ? (name as WrappingKeySpec) : null;
}

/** The specs a provider imports, in KEY_SPEC order. */
export function acceptedSpecs(provider: ProviderId): KeySpecName[] {
  return Object.keys(PROVIDERS[provider].specs) as KeySpecName[];
}

export function acceptedAlgorithms(provider: ProviderId, spec: KeySpecName): WrappingAlgorithm[] {
  return [...(PROVIDERS[provider].specs[spec]?.algorithms ?? [])];
}

export function isAccepted(provider: ProviderId, spec: KeySpecName, algorithm: WrappingAlgorithm): boolean {
  return acceptedAlgorithms(provider, spec).includes(algorithm);
}

/** The output layout for a spec at a provider; SPEC_NOT_ACCEPTED when the provider does not import it. */
export function outputLayout(provider: ProviderId, spec: KeySpecName): OutputLayout {
  const entry = PROVIDERS[provider].specs[spec];
  if (entry === undefined) {
    throw new ByokError('SPEC_NOT_ACCEPTED', `${PROVIDERS[provider].displayName} cannot import ${spec} keys; it imports ${acceptedSpecs(provider).join(', ')}.`);
  }
  return entry.layout;
}

/**
 * Maps the algorithm a parameters file names to ours for a spec: the provider's own parameters name
 * (Huawei's RSAES_OAEP_SHA_256 for its two-field form) becomes our algorithm; anything else is kept.
 */
export function algorithmForParameters(provider: ProviderId, spec: KeySpecName, named: string): string {
  const entry = PROVIDERS[provider].specs[spec];
  if (entry?.parametersAlgorithm === named && entry.algorithms.length === 1) return entry.algorithms[0]!;
  return named;
}
