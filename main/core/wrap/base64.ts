// Strict base64 / base64url: Buffer.from(text, 'base64') silently skips bad characters and ignores
// unused bits, so a damaged import token or signature would decode to something. Here it must not.
import { ByokError } from '../../../shared/errors.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Standard padded base64 to bytes, or null when the text is not exactly the encoding of some bytes. */
export function parseBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  return bytes.length > 0 && Buffer.from(bytes).toString('base64') === text ? bytes : null;
}

/** Decodes standard base64 (padded); `field` names what is being decoded in the error. */
export function decodeBase64Strict(text: string, field: string): Uint8Array {
  const bytes = parseBase64(text);
  if (bytes === null) {
    throw new ByokError('PARAMS_MALFORMED', `Field ${field} is not valid base64. Save the provider's response again without editing it.`, { field });
  }
  return bytes;
}

/** Decodes unpadded base64url (JWK members). */
export function decodeBase64UrlStrict(text: string, field: string): Uint8Array {
  const bytes = BASE64URL.test(text) ? new Uint8Array(Buffer.from(text, 'base64url')) : null;
  if (bytes === null || bytes.length === 0 || Buffer.from(bytes).toString('base64url') !== text) {
    throw new ByokError('PARAMS_MALFORMED', `Field ${field} is not valid base64url. Save the key-exchange key again without editing it.`, { field });
  }
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
