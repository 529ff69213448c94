// A small real ceremony for the integration tests: two AES-256 keys for AWS, one for Tencent, one
// EC P-256 for Huawei, 2-of-3 shares and an escrow file. Wrapping keys are generated at test time.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCeremonyService } from '../../../main/core/ceremony.ts';
import { writeParamsFile } from '../../fixtures/plans/make-params.ts';

export const ESCROW_PASSPHRASE = 'correct horse battery staple';

export interface CeremonyFixture {
  folder: string;
  planPath: string;
  passphraseFile: string;
  vaultDir: string;
}

export function fixturePlan(confirmations: 'witness' | 'none', witnesses = ['Bob Witness', 'Carol Witness']): Record<string, unknown> {
  return {
    version: 1,
    ceremony: 'Integration ceremony',
    operator: 'Alice Operator',
    witnesses,
    confirmations,
    keys: [
      { alias: 'dek', spec: 'AES_256', count: 2, params: ['params/aws-dek-1.json', 'params/aws-dek-2.json'], algorithm: 'RSAES_OAEP_SHA_256', materialExpiry: 'never' },
      { alias: 'ledger', spec: 'AES_256', params: 'params/tencent-ledger.json', algorithm: 'RSAES_OAEP_SHA_256' },
      { alias: 'sign', spec: 'EC_P256', params: 'params/huawei-sign.json' },
    ],
    backup: { keychain: true, shares: { threshold: 2, shares: 3, custodians: ['Dave', 'Erin', 'Frank'] }, escrow: { path: 'escrow/keys.escrow' } },
    output: 'out',
  };
}

export async function createCeremonyFixture(folder: string, options: { confirmations?: 'witness' | 'none'; plan?: Record<string, unknown>; validTo?: Date } = {}): Promise<CeremonyFixture> {
  await mkdir(folder, { recursive: true });
  const validTo = options.validTo ?? new Date(Date.now() + 20 * 3_600_000);
  await Promise.all([
    writeParamsFile(join(folder, 'params/aws-dek-1.json'), { provider: 'aws', validTo }),
    writeParamsFile(join(folder, 'params/aws-dek-2.json'), { provider: 'aws', validTo }),
    writeParamsFile(join(folder, 'params/tencent-ledger.json'), { provider: 'tencent', validTo }),
    writeParamsFile(join(folder, 'params/huawei-sign.json'), { provider: 'huawei', validTo }),
  ]);
  const planPath = join(folder, 'plan.yaml');
  await writeFile(planPath, stringify(options.plan ?? fixturePlan(options.confirmations ?? 'none')));
  const passphraseFile = join(folder, 'escrow-passphrase.txt');
  await writeFile(passphraseFile, `${ESCROW_PASSPHRASE}\n`);
  return { folder, planPath, passphraseFile, vaultDir: join(folder, 'vault') };
}

/** Replaces what legitimately differs between two runs of one plan: keys, ids, times, hashes, the mode. */
export function normaliseTranscript(markdown: string): string {
  return markdown
    .replace(/^# (REHEARSAL transcript|Ceremony transcript)/m, '# <mode> transcript')
    .replace(/^\*\*(REHEARSAL —[^*]*|Ceremony record\.)\*\*$/m, '**<banner>**')
    .replace(/\| Mode \| (REHEARSAL|real ceremony) \|/, '| Mode | <mode> |')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/\b[0-9a-f]{64}\b/g, '<sha256>')
    .replace(/SHA-256 fingerprint ([0-9a-f]{4} ){15}[0-9a-f]{4}/g, 'SHA-256 fingerprint <fingerprint>')
    .replace(/KCV [0-9A-F]{6}/g, 'KCV <kcv>')
    .replace(/\| [0-9A-Fa-f]{6,16} \| (\S+\/share-)/g, '| <share-check> | $1');
}

/** Opens a vault in-process, waiting out a previous holder's lock release (a closing service, a CLI exiting). */
export async function openVault(vaultDir: string, create = false) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await createCeremonyService({ vaultDir, create });
    } catch (error) {
      if ((error as { code?: string }).code !== 'VAULT_IN_USE' || attempt > 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
