// bundle.json: what a ceremony produced, signed with the vault's Ed25519 ceremony key. The signature
// covers a canonical encoding (sorted keys, no whitespace) of every field but `signature`; the file
// itself is one fixed rendering of the bundle, and verification insists on exactly that rendering, so
// any changed byte — even whitespace or an unused base64 bit — fails.
import { createHash, createPublicKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ByokError } from '../../../shared/errors.ts';
import { CHECK_VALUE_PATTERNS, KEY_ID_PATTERN, KEY_SPEC_NAMES } from '../../../shared/key-specs.ts';
import { PROVIDER_IDS, WRAPPING_ALGORITHMS } from '../../../shared/providers.ts';
import { encodeBase64, parseBase64 } from './base64.ts';
import type { WrappedMaterial } from './wrap-material.ts';
import { ed25519Verify } from '../ed25519.ts';

export const BUNDLE_FORMAT = 'byok-ceremony/bundle';
export const BUNDLE_VERSION = 1;

export interface BundleSigner {
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

const base64 = z.string().refine((text) => parseBase64(text) !== null, 'not canonical base64');
const isoUtcSecond = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'not an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)');
const plainFileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'not a plain file name');

const wrappedSingle = z.strictObject({ ciphertext: base64 });
const wrappedSplit = z.strictObject({ encryptedKeyMaterial: base64, encryptedPrivateKey: base64 });

const bundleFieldsObject = z.strictObject({
  keyId: z.string().regex(KEY_ID_PATTERN, 'not a key id'),
  alias: z.string().min(1).nullable(),
  spec: z.enum(KEY_SPEC_NAMES),
  check: z.union([
    z.strictObject({ kind: z.literal('kcv'), value: z.string().regex(CHECK_VALUE_PATTERNS.kcv, 'not a KCV (6 upper-case hex digits)') }),
    z.strictObject({ kind: z.literal('fingerprint'), value: z.string().regex(CHECK_VALUE_PATTERNS.fingerprint, 'not a fingerprint (64 lower-case hex digits)') }),
  ]),
  provider: z.enum(PROVIDER_IDS),
  remoteKeyId: z.string().min(1).nullable(),
  algorithm: z.enum(WRAPPING_ALGORITHMS),
  layout: z.enum(['single', 'split']),
  wrapped: z.union([wrappedSingle, wrappedSplit]),
  importToken: base64.nullable(),
  parametersValidTo: isoUtcSecond.nullable(),
  materialExpiry: isoUtcSecond.nullable(),
  createdAt: isoUtcSecond,
  files: z.array(z.strictObject({ name: plainFileName, sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});

const bundleFieldsSchema = bundleFieldsObject.refine((fields) => ('ciphertext' in fields.wrapped) === (fields.layout === 'single'), { message: 'wrapped fields do not match the layout', path: ['wrapped'] });

export type BundleFields = z.infer<typeof bundleFieldsSchema>;

const signatureSchema = z.strictObject({ alg: z.literal('Ed25519'), publicKey: base64, value: base64 });

const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  ...bundleFieldsObject.shape,
  signature: signatureSchema,
});

export type ParsedBundle = BundleFields & {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  signature: z.infer<typeof signatureSchema>;
};

/** The wrapped material as the bundle records it (base64). */
export function wrappedForBundle(wrapped: WrappedMaterial): BundleFields['wrapped'] {
  return wrapped.layout === 'single'
    ? { ciphertext: encodeBase64(wrapped.ciphertext) }
    : { encryptedKeyMaterial: encodeBase64(wrapped.encryptedKeyMaterial), encryptedPrivateKey: encodeBase64(wrapped.encryptedPrivateKey) };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** Sorted keys, no whitespace: what the signature covers. */
export function canonicalJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(sortKeys(value)));
}

/** The one rendering of a bundle file: fixed field order, two-space indent, final newline. */
function render(bundle: ParsedBundle): Uint8Array {
  const ordered = {
    format: bundle.format,
    version: bundle.version,
    keyId: bundle.keyId,
    alias: bundle.alias,
    spec: bundle.spec,
    check: { kind: bundle.check.kind, value: bundle.check.value },
    provider: bundle.provider,
    remoteKeyId: bundle.remoteKeyId,
    algorithm: bundle.algorithm,
    layout: bundle.layout,
    wrapped: 'ciphertext' in bundle.wrapped
      ? { ciphertext: bundle.wrapped.ciphertext }
      : { encryptedKeyMaterial: bundle.wrapped.encryptedKeyMaterial, encryptedPrivateKey: bundle.wrapped.encryptedPrivateKey },
    importToken: bundle.importToken,
    parametersValidTo: bundle.parametersValidTo,
    materialExpiry: bundle.materialExpiry,
    createdAt: bundle.createdAt,
    files: bundle.files.map((file) => ({ name: file.name, sha256: file.sha256 })),
    signature: { alg: bundle.signature.alg, publicKey: bundle.signature.publicKey, value: bundle.signature.value },
  };
  return new TextEncoder().encode(`${JSON.stringify(ordered, null, 2)}\n`);
}

function signedPart(bundle: Omit<ParsedBundle, 'signature'> & { signature?: unknown }): Uint8Array {
  const { signature: _signature, ...rest } = bundle;
  return canonicalJson(rest);
}

function schemaProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'unknown problem' : `${issue.path.join('.') || '(top level)'}: ${issue.message}`;
}

/** Bundle fields as a caller may pass them: the wrapped material as bytes or already in base64. */
export type BundleInput = Omit<BundleFields, 'wrapped'> & { wrapped: BundleFields['wrapped'] | WrappedMaterial };

export function createBundle(input: BundleInput, signer: BundleSigner): Uint8Array {
  const fields = 'layout' in input.wrapped ? { ...input, wrapped: wrappedForBundle(input.wrapped) } : input;
  const checked = bundleFieldsSchema.safeParse(fields);
  if (!checked.success) throw new ByokError('BUNDLE_INVALID', `The bundle fields are invalid (${schemaProblem(checked.error)}); no bundle was written.`);
  if (signer.publicKey.length !== 32) throw new ByokError('BUNDLE_INVALID', 'The ceremony signing key must be a raw 32-byte Ed25519 public key.');
  const unsigned = { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, ...checked.data } as const;
  const signature = signer.sign(signedPart(unsigned));
  return render({ ...unsigned, signature: { alg: 'Ed25519', publicKey: encodeBase64(signer.publicKey), value: encodeBase64(signature) } });
}

function invalid(problem: string): ByokError {
  return new ByokError('BUNDLE_INVALID', `The bundle is invalid: ${problem}. Use the bundle.json exactly as the ceremony wrote it.`);
}

function parse(bytes: Uint8Array): ParsedBundle {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalid('it is not UTF-8 text');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  const checked = bundleSchema.safeParse(document);
  if (!checked.success) throw invalid(schemaProblem(checked.error));
  const bundle = checked.data as ParsedBundle;
  if (!bundleFieldsSchema.safeParse(signedFields(bundle)).success) throw invalid('wrapped fields do not match the layout');
  const rendered = render(bundle);
  if (Buffer.compare(Buffer.from(rendered), Buffer.from(bytes)) !== 0) throw invalid('it is not in the form the ceremony writes (was it edited or reformatted?)');
  return bundle;
}

function signedFields(bundle: ParsedBundle): BundleFields {
  const { format: _format, version: _version, signature: _signature, ...fields } = bundle;
  return fields;
}

function signatureInvalid(problem: string): ByokError {
  return new ByokError('BUNDLE_SIGNATURE_INVALID', `The bundle signature does not verify: ${problem}. Do not import it; redo the wrap from the vault.`);
}

export interface VerifyBundleOptions {
  /** The vault's ceremony public key; without it the bundle's own key is only checked for consistency. */
  trustedPublicKey?: Uint8Array;
  /** Folder holding the provider-native files: each must match the SHA-256 the bundle records. */
  checkFilesIn?: string;
}

export function verifyBundle(bytes: Uint8Array, options: VerifyBundleOptions = {}): { valid: true; bundle: ParsedBundle } {
  const bundle = parse(bytes);
  const publicKey = parseBase64(bundle.signature.publicKey)!;
  const signature = parseBase64(bundle.signature.value)!;
  if (publicKey.length !== 32 || signature.length !== 64) throw signatureInvalid('the key or signature has the wrong length for Ed25519');
  if (options.trustedPublicKey !== undefined && Buffer.compare(Buffer.from(options.trustedPublicKey), Buffer.from(publicKey)) !== 0) {
    throw signatureInvalid('it was signed by a different ceremony key than the trusted one');
  }
  if (!ed25519Verify(signature, signedPart(bundle), publicKey)) throw signatureInvalid('the signature does not match the contents');
  if (options.checkFilesIn !== undefined) checkFiles(bundle, options.checkFilesIn);
  return { valid: true, bundle };
}

function checkFiles(bundle: ParsedBundle, folder: string): void {
  for (const file of bundle.files) {
    let content: Buffer;
    try {
      content = readFileSync(join(folder, file.name));
    } catch {
      throw new ByokError('BUNDLE_INVALID', `${file.name}, listed in the bundle, is missing from ${folder}.`, { file: file.name });
    }
    if (createHash('sha256').update(content).digest('hex') !== file.sha256) {
      throw new ByokError('BUNDLE_INVALID', `${file.name} in ${folder} differs from the file the signed bundle records; do not import it.`, { file: file.name });
    }
  }
}

/** A signer over a node:crypto Ed25519 private key (the ceremony key, once read from the keychain). */
export function ed25519Signer(privateKey: KeyObject): BundleSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ByokError('INVALID_ARGUMENT', 'The ceremony signing key must be an Ed25519 key.');
  // The raw key is the last 32 bytes of the fixed-prefix Ed25519 SubjectPublicKeyInfo.
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    publicKey: new Uint8Array(spki.subarray(spki.length - 32)),
    sign: (message) => new Uint8Array(nodeSign(null, message, privateKey)),
  };
}
