// `byok ceremony run` on a real pseudo-terminal (util-linux `script`), driven like witnesses would:
// each check value is read off the screen and typed back; one is typed wrong, which stops that key.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BYOK_BIN, REPO_ROOT, runByok, tempDir } from '../../support/byok-cli.ts';
import { createCeremonyFixture, fixturePlan, ESCROW_PASSPHRASE } from './ceremony-fixture.ts';

const workspace = tempDir('ceremony-tty');
afterAll(() => workspace.remove());

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

interface TerminalSession {
  output: string;
  code: number | null;
  readBacks: Array<{ shown: string; typed: string }>;
}

/** Runs `args` on a pseudo-terminal, answering read-backs with answer(n, shown) and the passphrase prompts. */
function runOnTerminal(args: string[], answer: (index: number, shown: string) => string): Promise<TerminalSession> {
  const command = [process.execPath, BYOK_BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
    const session: TerminalSession = { output: '', code: null, readBacks: [] };
    let answeredPrompts = 0;
    let scanned = 0;
    const onOutput = (chunk: Buffer) => {
      session.output += chunk.toString('utf8');
      // Answer each prompt once, in order of appearance.
      const prompt = /(type it here: |Escrow passphrase \(not shown\): |The same passphrase again: )/g;
      prompt.lastIndex = scanned;
      let match: RegExpExecArray | null;
      while ((match = prompt.exec(session.output)) !== null) {
        scanned = prompt.lastIndex;
        answeredPrompts++;
        if (match[1] === 'type it here: ') {
          const before = session.output.slice(0, match.index);
          const shown = [...before.matchAll(/(?:KCV|fingerprint \(SHA-256 of the public key\)):\s+([0-9A-Fa-f ]+?)\r?\n/g)].at(-1)?.[1] ?? '';
          const typed = answer(session.readBacks.length, shown);
          session.readBacks.push({ shown, typed });
          child.stdin.write(`${typed}\r`);
        } else {
          child.stdin.write(`${ESCROW_PASSPHRASE}\r`);
        }
      }
      void answeredPrompts;
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('error', reject);
    child.on('exit', (code) => {
      session.code = code;
      child.stdin.destroy();
      resolve(session);
    });
  });
}

describe('byok ceremony run on a terminal', () => {
  it('asks a witness to type back each check value; a wrong one stops that key only', async () => {
    const plan = fixturePlan('witness');
    plan.keys = (plan.keys as Array<Record<string, unknown>>).filter((entry) => entry.alias !== 'ledger');
    const fixture = await createCeremonyFixture(join(workspace.path, 'tty'), { plan });

    const session = await runOnTerminal(['--vault', fixture.vaultDir, 'ceremony', 'run', '--plan', fixture.planPath, '--allow-online'], (index, shown) =>
      index === 1 ? 'ABC123' : shown.toLowerCase(),
    );
    expect(session.readBacks).toHaveLength(3);
    expect(session.readBacks[0]!.shown).toMatch(/^[0-9A-F]{6}$/);
    expect(session.readBacks[2]!.shown.replaceAll(' ', '')).toMatch(/^[0-9a-f]{64}$/);
    expect(session.output).toContain('Bob Witness, read the KCV');
    expect(session.output).toContain('Carol Witness, read the KCV');
    expect(session.output).toContain('DOES NOT MATCH. Key dek-2 is refused');
    expect(session.output).not.toContain(ESCROW_PASSPHRASE); // never echoed
    expect(session.code).toBe(3);

    expect((await readdir(join(fixture.folder, 'out'))).sort()).toEqual(['dek-1', 'shares', 'sign']);
    const listed = await runByok(['--json', 'ceremony', 'list'], { vault: fixture.vaultDir });
    const ceremonyId = listed.json.ceremonies[0].ceremonyId;
    const transcriptPath = join(fixture.folder, 'transcript.md');
    const transcript = await runByok(['--json', 'ceremony', 'transcript', '--out', transcriptPath], { vault: fixture.vaultDir });
    expect(transcript.json).toMatchObject({ ceremonyId, finished: true });
    const markdown = (await import('node:fs')).readFileSync(transcriptPath, 'utf8');
    expect(markdown).toContain('"ABC123" DOES NOT MATCH — key refused');
    expect(markdown).toMatch(/typed back by Bob Witness at .*: matches/);
    const again = await runByok(['--json', 'ceremony', 'transcript', '--out', transcriptPath], { vault: fixture.vaultDir });
    expect(again.json.error.code).toBe('OUTPUT_EXISTS');
  });

  it('refuses a witnessed plan without a terminal, before generating anything', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'no-tty'), { confirmations: 'witness' });
    const result = await runByok(['--json', 'ceremony', 'run', '--plan', fixture.planPath, '--allow-online'], { vault: fixture.vaultDir });
    expect(result.code).toBe(3);
    expect(result.json.error.code).toBe('CEREMONY_CONFIRMATION_FAILED');
    const listed = await runByok(['--json', 'keys', 'list'], { vault: fixture.vaultDir });
    expect(listed.json.keys ?? []).toHaveLength(0);
  });
});
