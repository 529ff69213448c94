// generateKeys over a real vault in a temp folder and the in-memory keychain: the batch path (one
// health-tested draw per batch), its audit evidence, and the alias rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryKeychain } from '../../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../../main/core/ceremony.ts';
import { computeKeyCheck } from '../../../../main/core/keys/index.ts';
import type { CoreContext } from '../../../../main/core/use-cases/context.ts';
import { generateKeys } from '../../../../main/core/use-cases/generate-keys.ts';

let dir: string;
let context: CoreContext;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byok-generate-'));
  context = await openCoreContext({ vaultDir: join(dir, 'vault'), create: true, keychain: memoryKeychain() });
});

afterEach(async () => {
  await context.audit.close();
  await context.vault.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('generateKeys', () => {
  it('backs up a batch whose every key restores to its recorded KCV, with one health test of the shared stream', async () => {
    const { keys } = await generateKeys(context, { spec: 'AES_256', alias: 'bulk', count: 40 });
    expect(keys).toHaveLength(40);
    const restored = new Map<string, string>();
    await context.backups.forEachKey((entry, material) => {
      restored.set(entry.keyId, computeKeyCheck('AES_256', material).value);
    });
    for (const key of keys) expect(restored.get(key.id)).toBe(key.check.value);
    const record = context.vault.keys.get(keys[0]!.id)!;
    expect(record.entropyEvidence).toMatchObject({ sources: [{ kind: 'os-csprng', bytes: 128 }], health: { passed: true, samples: 40 * 128 }, osStream: { keys: 40, bytes: 40 * 128 } });
    const health = context.audit.list().filter((event) => event.type === 'entropy.health');
    expect(health.map((event) => event.data)).toEqual([expect.objectContaining({ passed: true, keys: 40, samples: 40 * 128 })]);
  });

  it('refuses an alias already in the vault, also when it is one of a run\'s numbered aliases', async () => {
    await generateKeys(context, { spec: 'AES_128', alias: 'pay_ments', count: 3 });
    await expect(generateKeys(context, { spec: 'AES_128', alias: 'pay_ments-2' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"pay_ments-2" already exists') });
    await expect(generateKeys(context, { spec: 'AES_128', alias: 'pay_ments', count: 3 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // Near misses are not clashes: another case, a LIKE wildcard where the alias has "_", a longer alias.
    for (const alias of ['PAY_MENTS-2', 'payXments-2', 'pay_ments-22']) {
      await expect(generateKeys(context, { spec: 'AES_128', alias })).resolves.toMatchObject({ keys: [expect.objectContaining({ alias })] });
    }
  });

  it('refuses an empty dice string instead of generating from OS entropy alone', async () => {
    await expect(generateKeys(context, { spec: 'AES_256', alias: 'dice', diceRolls: '' })).rejects.toMatchObject({ code: 'ENTROPY_SOURCE_INVALID' });
    expect(context.vault.keys.count()).toBe(0);
  });

  it.each([0, -1, 1.5, 1001, Number.NaN])('refuses batch size %s instead of clamping it', async (batchSize) => {
    await expect(generateKeys(context, { spec: 'AES_256', alias: 'batch', count: 2 }, { batchSize })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('from 1 to 1000') });
    expect(context.vault.keys.count()).toBe(0);
  });
});
