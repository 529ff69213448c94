// The import job a verified bundle queues, for tests of the sync engine: fixed stand-in bytes (no KMS in
// these tests unwraps them), the remote key, check value and material expiry a test asks for.
import type { ImportPayload } from '../../../../../main/core/kms/sync/job-payloads.ts';

export function bundleImportPayload(remoteKeyId: string, check: string, materialExpiry: string): ImportPayload {
  return {
    remoteKeyId,
    spec: 'AES_256',
    check: { kind: 'kcv', value: check },
    algorithm: 'RSAES_OAEP_SHA_256',
    wrapped: { ciphertext: Buffer.from('wrapped').toString('base64') },
    importToken: Buffer.from('token').toString('base64'),
    parametersValidTo: '2026-03-02T00:00:00Z',
    materialExpiry,
    source: 'bundle',
  };
}
