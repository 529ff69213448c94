// Our request file: the import parameters of one or many keys, fetched on the connected machine and
// carried to the air-gapped one, where `byok wrap --key ID --params FILE` picks the entry for that key.
// Each entry keeps the provider's own response JSON untouched (`responseText`), so the air-gapped side
// parses exactly what the KMS sent, with the same parser as a file saved from the console.
// A renewal request is the same file: fresh parameters for keys whose material must be re-imported.
import { createHash } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { isProviderId, type ProviderId } from '../../../shared/providers.ts';
import { writeNewFile } from '../new-files.ts';

export const REQUEST_FILE_FORMAT = 'byok-import-request';
export const REQUEST_FILE_VERSION = 1;
const MAX_ENTRIES = 10_000;

export interface RequestEntry {
  keyId: string;
  provider: ProviderId;
  /** The connected provider's name on the online machine (from `byok provider add`). */
  providerName: string;
  remoteKeyId: string;
  /** The provider's GetParametersForImport response, exactly as received. */
  responseText: string;
}

export interface RequestFile {
  entries: RequestEntry[];
  /** Why the file was written: first import or renewal of expiring material. */
  purpose?: 'import' | 'renewal';
  createdAt?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(reason: string): ByokError {
  return new ByokError('PARAMS_MALFORMED', `The request file is damaged: ${reason}. Fetch the parameters again with \`byok remote params\` on the connected machine.`);
}

function readEntry(value: unknown, index: number): RequestEntry {
  if (!isObject(value)) throw malformed(`entry ${index + 1} is not an object`);
  const { keyId, provider, providerName, remoteKeyId, responseText } = value;
  for (const [name, field] of Object.entries({ keyId, providerName, remoteKeyId, responseText })) {
    if (typeof field !== 'string' || field.length === 0) throw malformed(`entry ${index + 1} has no ${name}`);
  }
  if (typeof provider !== 'string' || !isProviderId(provider)) throw malformed(`entry ${index + 1} names an unknown provider`);
  return { keyId: keyId as string, provider, providerName: providerName as string, remoteKeyId: remoteKeyId as string, responseText: responseText as string };
}

/** Our request file's entries, or null when the text is not our format (a provider's own file, say). */
export function parseRequestFile(text: string): RequestFile | null {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (!isObject(document) || document.format !== REQUEST_FILE_FORMAT) return null;
  if (document.version !== REQUEST_FILE_VERSION) {
    throw new ByokError('PARAMS_MALFORMED', `The request file has version ${String(document.version)}; this build reads version ${REQUEST_FILE_VERSION}. Use the same release on both machines.`);
  }
  if (!Array.isArray(document.entries) || document.entries.length === 0 || document.entries.length > MAX_ENTRIES) throw malformed('it lists no keys');
  const entries = document.entries.map(readEntry);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = `${entry.keyId}\u0000${entry.providerName}`;
    if (seen.has(id)) throw malformed(`key ${entry.keyId} appears twice for ${entry.providerName}`);
    seen.add(id);
  }
  return {
    entries,
    ...(document.purpose === 'import' || document.purpose === 'renewal' ? { purpose: document.purpose } : {}),
    ...(typeof document.createdAt === 'string' ? { createdAt: document.createdAt } : {}),
  };
}

/** The entry of a request file for one key (and provider, when the file holds several). */
export function requestEntryFor(file: RequestFile, keyId: string, providerName?: string): RequestEntry {
  const matching = file.entries.filter((entry) => entry.keyId === keyId && (providerName === undefined || entry.providerName === providerName));
  if (matching.length === 0) throw new ByokError('KEY_NOT_FOUND', `The request file holds no parameters for key ${keyId}. Fetch them with \`byok remote params --key ${keyId}\`.`);
  if (matching.length > 1) throw new ByokError('INVALID_ARGUMENT', `The request file holds parameters for key ${keyId} from several providers (${matching.map((entry) => entry.providerName).join(', ')}); name one.`);
  return matching[0]!;
}

export function encodeRequestFile(entries: readonly RequestEntry[], options: { purpose?: 'import' | 'renewal'; createdAt?: string } = {}): Uint8Array {
  const document = {
    format: REQUEST_FILE_FORMAT,
    version: REQUEST_FILE_VERSION,
    purpose: options.purpose ?? 'import',
    ...(options.createdAt ? { createdAt: options.createdAt } : {}),
    entries: entries.map(({ keyId, provider, providerName, remoteKeyId, responseText }) => ({ keyId, provider, providerName, remoteKeyId, responseText })),
  };
  return new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`);
}

/** Writes the request file durably; an existing file is never overwritten (OUTPUT_EXISTS). */
export async function writeRequestFile(
  path: string,
  entries: readonly RequestEntry[],
  options: { purpose?: 'import' | 'renewal'; createdAt?: string } = {},
): Promise<{ path: string; sha256: string }> {
  if (entries.length === 0) throw new ByokError('INVALID_ARGUMENT', 'A request file needs at least one key.');
  const bytes = encodeRequestFile(entries, options);
  // Temporary name, fsync, link to `path` (refused when it exists), fsync of the folder: a reported
  // request file survives a crash, and a failed or killed write leaves nothing under its name.
  await writeNewFile(path, bytes, { mode: 0o644, existsHint: 'Choose another --out.' });
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}
