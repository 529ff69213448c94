// Provider credentials in the vault's keychain namespace, one item per connected provider, under the
// account `provider-credentials:<name>`. They never touch the database, logs, errors or replies.
//
// The item is a small JSON document assembled byte by byte from the parts (no template strings), so the
// only copies of the secret are the caller's string and a Uint8Array zeroed here. The parts are limited
// to printable ASCII without `"` and `\`, which is what access keys, secrets and session tokens of all
// three providers are (base64, hex and [A-Za-z0-9/+=_-]), so no JSON escaping is ever needed.
import { ByokError } from '../../../shared/errors.ts';
import type { Keychain } from '../backup/keychain.ts';
import { zeroize } from '../secret.ts';

export const CREDENTIALS_ACCOUNT_PREFIX = 'provider-credentials:';
const MAX_PART_BYTES = 4096;

export interface ProviderCredentials {
  accessKeyId: string;
  secret: string;
  sessionToken?: string;
}

type Part = keyof ProviderCredentials;
const PARTS: readonly Part[] = ['accessKeyId', 'secret', 'sessionToken'];

export function credentialsAccount(providerName: string): string {
  return `${CREDENTIALS_ACCOUNT_PREFIX}${providerName}`;
}

/** True for printable ASCII without `"` and `\`: bytes that stand in JSON without escaping. */
function plainPart(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte < 0x21 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return false;
  return true;
}

function encodePart(name: Part, value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length === 0 || bytes.length > MAX_PART_BYTES || !plainPart(bytes)) {
    zeroize(bytes);
    const what = name === 'accessKeyId' ? 'access key id' : name === 'secret' ? 'secret' : 'session token';
    // The message names the part, never its content.
    throw new ByokError('INVALID_INPUT', `The ${what} must be 1 to ${MAX_PART_BYTES} printable ASCII characters without quotes, backslashes or spaces. Copy it again from the provider's console.`);
  }
  return bytes;
}

/** Stores (or replaces) the credentials of a connected provider. */
export async function storeCredentials(keychain: Keychain, providerName: string, credentials: ProviderCredentials): Promise<void> {
  const encoder = new TextEncoder();
  const pieces: Uint8Array[] = [];
  try {
    pieces.push(encoder.encode('{'));
    let first = true;
    for (const name of PARTS) {
      const value = credentials[name];
      if (value === undefined || value === '') continue;
      pieces.push(encoder.encode(`${first ? '' : ','}"${name}":"`), encodePart(name, value), encoder.encode('"'));
      first = false;
    }
    pieces.push(encoder.encode('}'));
    const document = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
    let offset = 0;
    for (const piece of pieces) {
      document.set(piece, offset);
      offset += piece.length;
    }
    try {
      await keychain.set(credentialsAccount(providerName), document);
    } finally {
      zeroize(document);
    }
  } finally {
    zeroize(...pieces);
  }
}

/** The provider's credentials, or null when none are stored. */
export async function loadCredentials(keychain: Keychain, providerName: string): Promise<ProviderCredentials | null> {
  const document = await keychain.get(credentialsAccount(providerName));
  if (document === null) return null;
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(document));
    } catch {
      parsed = null;
    }
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    const { accessKeyId, secret, sessionToken } = record;
    if (typeof accessKeyId !== 'string' || typeof secret !== 'string' || (sessionToken !== undefined && typeof sessionToken !== 'string')) {
      throw new ByokError('PROVIDER_AUTH_FAILED', `The stored credentials of provider "${providerName}" are unreadable. Add the provider again: \`byok provider add --name ${providerName} ...\`.`);
    }
    return { accessKeyId, secret, ...(sessionToken ? { sessionToken } : {}) };
  } finally {
    zeroize(document);
  }
}

export async function hasCredentials(keychain: Keychain, providerName: string): Promise<boolean> {
  const document = await keychain.get(credentialsAccount(providerName));
  zeroize(document);
  return document !== null;
}

export async function deleteCredentials(keychain: Keychain, providerName: string): Promise<boolean> {
  return keychain.delete(credentialsAccount(providerName));
}
