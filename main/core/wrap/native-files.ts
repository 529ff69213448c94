// The files each provider's own console or CLI takes, so a bundle is usable without this app on the
// online side. One writer per provider, in a table.
import { ByokError } from '../../../shared/errors.ts';
import type { ProviderId } from '../../../shared/providers.ts';
import packageJson from '../../../package.json' with { type: 'json' };
import { encodeBase64, encodeBase64Url } from './base64.ts';
import type { ImportParameters } from './import-params.ts';
import type { OutputFile } from './outputs.ts';
import type { WrappedMaterial } from './wrap-material.ts';

export interface NativeFilesInput {
  provider: ProviderId;
  params: ImportParameters;
  wrapped: WrappedMaterial;
  /** ISO-8601 UTC or null (never expires). */
  materialExpiry: string | null;
  /** The key's alias: Azure's .byok file is named after it (or after keyId when there is none). */
  alias: string | null;
  keyId?: string;
}

export const GENERATOR = `byok-ceremony ${packageJson.version}`;

const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function single(input: NativeFilesInput): Uint8Array {
  if (input.wrapped.layout !== 'single') throw new ByokError('INVALID_ARGUMENT', `${input.provider} takes one wrapped blob, not the two-field form.`);
  return input.wrapped.ciphertext;
}

function token(input: NativeFilesInput): { bytes: Uint8Array; text: string } {
  if (input.params.importToken === null || input.params.importTokenText === null) {
    throw new ByokError('PARAMS_MALFORMED', `The ${input.provider} import parameters carry no import token; get new import parameters.`);
  }
  return { bytes: input.params.importToken, text: input.params.importTokenText };
}

function remoteKeyId(input: NativeFilesInput): string {
  if (input.params.remoteKeyId === null) throw new ByokError('PARAMS_MALFORMED', `The ${input.provider} import parameters name no key id.`);
  return input.params.remoteKeyId;
}

function noExpiry(input: NativeFilesInput): void {
  if (input.materialExpiry !== null) throw new ByokError('MATERIAL_EXPIRY_INVALID', `${input.provider} import files carry no material expiry; pass --material-expiry never.`);
}

const ALIAS_AS_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const WRITERS: Readonly<Record<ProviderId, (input: NativeFilesInput) => OutputFile[]>> = {
  // `aws kms import-key-material --encrypted-key-material fileb://EncryptedKeyMaterial.bin
  //  --import-token fileb://ImportToken.bin` reads raw bytes; the expiry goes on the command line.
  aws: (input) => [
    { name: 'EncryptedKeyMaterial.bin', bytes: single(input) },
    { name: 'ImportToken.bin', bytes: token(input).bytes },
  ],
  huawei: (input) => {
    const { wrapped } = input;
    const body: Record<string, string | number> = {
      key_id: remoteKeyId(input),
      import_token: token(input).text,
      encrypted_key_material: encodeBase64(wrapped.layout === 'single' ? wrapped.ciphertext : wrapped.encryptedKeyMaterial),
    };
    if (wrapped.layout === 'split') body.encrypted_privatekey = encodeBase64(wrapped.encryptedPrivateKey);
    if (input.materialExpiry !== null) body.expiration_time = epochSeconds(input.materialExpiry);
    return [{ name: 'import-key-material.json', bytes: json(body) }];
  },
  tencent: (input) => {
    const body: Record<string, string | number> = {
      KeyId: remoteKeyId(input),
      ImportToken: token(input).text,
      EncryptedKeyMaterial: encodeBase64(single(input)),
    };
    if (input.materialExpiry !== null) body.ValidTo = epochSeconds(input.materialExpiry);
    return [{ name: 'ImportKeyMaterial.json', bytes: json(body) }];
  },
  gcp: (input) => {
    noExpiry(input);
    return [{ name: 'wrapped_key.bin', bytes: single(input) }];
  },
  azure: (input) => {
    noExpiry(input);
    if (input.params.azureKid === undefined) throw new ByokError('PARAMS_MALFORMED', 'The Azure key-exchange key has no kid; save it again with its kid.');
    const name = input.alias ?? input.keyId ?? '';
    if (!ALIAS_AS_FILE_NAME.test(name)) {
      throw new ByokError('INVALID_ARGUMENT', `"${name}" cannot name a .byok file; give the key an alias of letters, digits, dot, dash and underscore.`);
    }
    const byok = {
      schema_version: '1.0.0',
      header: { kid: input.params.azureKid, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' },
      ciphertext: encodeBase64Url(single(input)),
      generator: GENERATOR,
    };
    return [{ name: `${name}.byok`, bytes: json(byok) }];
  },
};

export function providerNativeFiles(input: NativeFilesInput): OutputFile[] {
  if (input.params.provider !== input.provider) {
    throw new ByokError('INVALID_ARGUMENT', `The import parameters are for ${input.params.provider}, not ${input.provider}.`);
  }
  return WRITERS[input.provider](input);
}
