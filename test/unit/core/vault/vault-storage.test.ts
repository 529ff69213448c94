import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultStorage } from '../../../../main/core/vault/vault-storage.ts';
import { parseJournal } from '../../../../main/core/vault/row-journal.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
const open = (dir: string, journalLimitBytes: number) => VaultStorage.open(dir, { create: true, journalLimitBytes, initialize: () => undefined });
const provider = (name: string) => ({ name, type: 'aws', region: 'eu-west-1', project_id: null, endpoint: null });

describe('vault storage compaction', () => {
  it('carries saves made while a background compaction writes the snapshot into the new journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byok-storage-'));
    folders.push(dir);
    const { storage } = await open(dir, 1);
    storage.store.put('providers', { ...provider('first'), endpoint: `https://${'x'.repeat(100_000)}` });
    await storage.save(); // journal now outgrows the snapshot: compaction starts (snapshot taken now, written in the background)
    storage.store.put('providers', provider('during'));
    await storage.save(); // appended while the snapshot is being written
    await storage.settled();
    const journal = parseJournal(readFileSync(join(dir, 'vault.journal')));
    expect(journal.records.map((record) => record.n)).toEqual([2]);
    await storage.close();

    const { storage: reopened, report } = await open(dir, 1);
    expect(report.replayedSaves).toBe(0); // close() compacted the carried save too
    expect(reopened.store.all('SELECT name FROM providers ORDER BY name')).toEqual([{ name: 'during' }, { name: 'first' }]);
    await reopened.close();
  });

  it('does not compact while changes are unsaved, so a snapshot never holds half an operation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byok-storage-'));
    folders.push(dir);
    const { storage } = await open(dir, 1);
    storage.store.put('providers', provider('saved'));
    await storage.save();
    await storage.settled();
    storage.store.put('providers', provider('unsaved'));
    await storage.close(); // nothing pending may be exported: the unsaved row is dropped
    const { storage: reopened } = await open(dir, 1);
    expect(reopened.store.all('SELECT name FROM providers')).toEqual([{ name: 'saved' }]);
    await reopened.close();
  });
});
