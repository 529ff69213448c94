// `byok plan check` as a reviewer runs it: summary with the hash in words, JSON problems, exit codes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hexToPgpWords } from '../../../main/core/plan/index.ts';
import { runByok, tempDir } from '../../support/byok-cli.ts';
import { createCeremonyFixture } from './ceremony-fixture.ts';

const workspace = tempDir('plan-check-cli');
afterAll(() => workspace.remove());

describe('byok plan check', () => {
  it('prints the reviewers summary with the plan hash in hex and PGP words, exit 0', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'good'), { confirmations: 'witness' });
    const human = await runByok(['plan', 'check', fixture.planPath]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('No problems found');
    const json = await runByok(['--json', 'plan', 'check', fixture.planPath]);
    expect(json.code).toBe(0);
    expect(json.json).toMatchObject({ ok: true, problems: [] });
    expect(json.json.words).toBe(hexToPgpWords(json.json.sha256));
    expect(human.stdout).toContain(json.json.words.split(' ').slice(0, 8).join(' '));
    expect(json.json.keys.map((key: { provider: string }) => key.provider)).toEqual(['aws', 'aws', 'tencent', 'huawei']);
  });

  it('lists every problem with line and column and exits non-zero', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'bad'), { validTo: new Date(Date.now() + 3_600_000) });
    await writeFile(fixture.planPath, (await import('node:fs')).readFileSync(fixture.planPath, 'utf8').replace('threshold: 2', 'threshold: 5'));
    const result = await runByok(['--json', 'plan', 'check', fixture.planPath, '--at', new Date(Date.now() + 2 * 3_600_000).toISOString()]);
    expect(result.code).toBe(3);
    expect(result.json.ok).toBe(false);
    const codes = result.json.problems.map((problem: { code: string }) => problem.code);
    expect(codes).toContain('SHARES_INVALID');
    expect(codes.filter((code: string) => code === 'PARAMS_EXPIRED')).toHaveLength(4);
    expect(result.json.problems.every((problem: { line?: number; column?: number }) => problem.line! > 0 && problem.column! > 0)).toBe(true);
    expect(result.stderr).toContain('problems');
  });

  it('refuses an --at that is not an ISO-8601 time', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'at'));
    const result = await runByok(['--json', 'plan', 'check', fixture.planPath, '--at', 'tomorrow']);
    expect(result.code).toBe(2);
    expect(result.json.error.code).toBe('INVALID_ARGUMENT');
  });
});
