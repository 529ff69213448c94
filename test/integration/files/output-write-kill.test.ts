// A real process writing a bundle's files is SIGKILLed (by strace's fault injection) at a chosen
// system call; the retry into the same folder must then succeed and leave exactly one complete set:
// a killed write never leaves a final name behind that blocks it, nor a temporary file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutputs } from '../../../main/core/wrap/outputs.ts';
import { REPO_ROOT } from '../../support/byok-cli.ts';

const workspace = mkdtempSync(join(tmpdir(), 'byok-output-kill-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const FILES = [
  { name: 'EncryptedKeyMaterial.bin', bytes: [1, 2, 3] },
  { name: 'ImportToken.bin', bytes: [4, 5] },
  { name: 'bundle.json', bytes: [...new TextEncoder().encode('{"signed":true}\n')] },
];

const writer = join(workspace, 'write-bundle.ts');
writeFileSync(
  writer,
  `import { writeOutputs } from ${JSON.stringify(join(REPO_ROOT, 'main/core/wrap/outputs.ts'))};
await writeOutputs(process.argv[2], ${JSON.stringify(FILES)}.map((file) => ({ name: file.name, bytes: new Uint8Array(file.bytes) })));
`,
);

/** Runs the writer under strace, SIGKILLed at the first `syscall` touching `path`. */
function writeAndKillAt(out: string, syscall: string, path: string) {
  return spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', '-P', path, '-e', `trace=${syscall}`, '-e', `inject=${syscall}:signal=KILL`, process.execPath, writer, out], { encoding: 'utf8' });
}

// strace (Debian package `strace`, installed by .ci/run) injects the kill; it needs ptrace.
describe('output files of a write killed mid-way', () => {
  it('has strace to inject the kill with', () => {
    expect(spawnSync('strace', ['-qq', '-o', '/dev/null', '-e', 'trace=none', 'true']).status, 'strace is missing or cannot ptrace: apt-get install strace').toBe(0);
  });

  // The link of the 2nd file, the link of bundle.json (the commit marker), and the folder's fsync after
  // every link (the whole set under its names, the temporary twins not yet removed).
  it.each([
    ['link', 'ImportToken.bin'],
    ['link', 'bundle.json'],
    ['fsync', '.'],
  ])('a kill at %s of %s leaves nothing that blocks the retry', async (syscall, name) => {
    const out = join(workspace, `${syscall}-${name}`);
    mkdirSync(out);
    const killed = writeAndKillAt(out, syscall, join(out, name === '.' ? '' : name).replace(/\/$/, ''));
    expect(killed.signal ?? killed.status, killed.stderr).not.toBe(0);
    const left = readdirSync(out);
    expect(left.some((entry) => entry.startsWith('.byok-new-')), `left: ${left.join(', ')}`).toBe(true);

    const written = await writeOutputs(out, FILES.map((file) => ({ name: file.name, bytes: new Uint8Array(file.bytes) })));
    expect(written.map((file) => file.name)).toEqual(FILES.map((file) => file.name));
    expect(readdirSync(out).sort()).toEqual(['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json']);
    for (const file of FILES) expect([...readFileSync(join(out, file.name))]).toEqual(file.bytes);
  });

  it('a finished write is kept whole and refuses the next one', async () => {
    const out = join(workspace, 'finished');
    mkdirSync(out);
    expect(spawnSync(process.execPath, [writer, out]).status).toBe(0);
    await expect(writeOutputs(out, [{ name: 'bundle.json', bytes: new Uint8Array([0]) }])).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readdirSync(out).sort()).toEqual(['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json']);
    expect(readFileSync(join(out, 'bundle.json'), 'utf8')).toBe('{"signed":true}\n');
  });
});
