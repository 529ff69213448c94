// Wraps a key's keychain backup with parameters fetched just now, for a renewal done on this machine:
// the same checks as `byok wrap` (deadline, spec, algorithm, the backup's check value against the
// vault's), the material zeroed as soon as it is wrapped.
import { createHash } from 'node:crypto';
import { ByokError } from '../../../../shared/errors.ts';
import { KEY_SPECS } from '../../../../shared/key-specs.ts';
import { outputLayout, type ProviderId, type WrappingAlgorithm } from '../../../../shared/providers.ts';
import { zeroize } from '../../secret.ts';
import type { KeyRecord } from '../../vault/index.ts';
import type { CoreContext } from '../../use-cases/context.ts';
import { checkWrapRequest, encodeBase64, parseImportParameters, wrapMaterial, type ImportParameters } from '../../wrap/index.ts';
import type { WrappedFields } from './job-payloads.ts';

export interface WrappedForImport {
  algorithm: WrappingAlgorithm;
  wrapped: WrappedFields;
  wrappedSha256: string;
  importToken: string;
  parametersValidTo: string | null;
}

export function wrappedFields(wrapped: ReturnType<typeof wrapMaterial>): WrappedFields {
  return wrapped.layout === 'single'
    ? { ciphertext: encodeBase64(wrapped.ciphertext) }
    : { encryptedKeyMaterial: encodeBase64(wrapped.encryptedKeyMaterial), encryptedPrivateKey: encodeBase64(wrapped.encryptedPrivateKey) };
}

export function wrappedDigest(fields: WrappedFields): string {
  const text = 'ciphertext' in fields ? fields.ciphertext : `${fields.encryptedKeyMaterial}.${fields.encryptedPrivateKey}`;
  return createHash('sha256').update(text).digest('hex');
}

export async function wrapBackupForImport(
  context: CoreContext,
  input: { record: KeyRecord; provider: ProviderId; responseText: string; algorithm: WrappingAlgorithm },
): Promise<WrappedForImport> {
  const { record } = input;
  const now = context.clock.now();
  const params: ImportParameters = parseImportParameters(input.responseText, { algorithm: input.algorithm, fileName: 'The parameters just fetched' });
  const { algorithm } = checkWrapRequest({ params, spec: record.spec, algorithm: input.algorithm, now });
  const layout = outputLayout(input.provider, record.spec);
  if (layout === null) throw new ByokError('SPEC_NOT_ACCEPTED', `${input.provider} does not import ${record.spec} keys.`);
  if (params.importTokenText === null) throw new ByokError('PARAMS_MALFORMED', 'The KMS returned import parameters without an import token; fetch them again.');
  const { entry, material } = await context.backups.readKey(record.id, record.batchId ? { batchId: record.batchId } : {});
  try {
    if (entry.check.value !== record.check.value) {
      throw new ByokError('BACKUP_MISMATCH', `The keychain backup of ${record.id} has check value ${entry.check.value}, the vault records ${record.check.value}; nothing was imported. Run \`byok backup verify --key ${record.id}\`.`);
    }
    const spec = KEY_SPECS[record.spec];
    if (spec.kind === 'symmetric' && material.length !== spec.bytes) {
      throw new ByokError('BACKUP_CORRUPT', `The backup of ${record.id} has the wrong length; nothing was imported. Run \`byok backup verify --key ${record.id}\`.`);
    }
    const fields = wrappedFields(wrapMaterial({ material, wrappingPublicKeySpki: params.wrappingPublicKeySpki, algorithm, layout }));
    return { algorithm, wrapped: fields, wrappedSha256: wrappedDigest(fields), importToken: params.importTokenText, parametersValidTo: params.parametersValidTo };
  } finally {
    zeroize(material);
  }
}
