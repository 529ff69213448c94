// Reading a secret (passphrase, credential) from a TTY without echo, or one line from stdin when piped.
// Secrets never come from argv: argv is visible to every process on the machine.
import { ByokError } from '../../shared/errors.ts';

export async function readSecretLine(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  const first = await readOne(prompt);
  if (options.confirm && process.stdin.isTTY) {
    const second = await readOne('Again: ');
    if (first !== second) throw new ByokError('INVALID_INPUT', 'The two entries differ; nothing was written.');
  }
  return first;
}

let pipedLines: string[] | undefined;

export async function readOne(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    if (!pipedLines) {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      pipedLines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
    }
    const line = pipedLines.shift();
    if (line === undefined || line === '') throw new ByokError('INVALID_INPUT', 'Expected a line on standard input; none was given.');
    return line;
  }
  // Echo off before the prompt is shown: an answer typed fast must never appear on the screen.
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          finish();
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new ByokError('CANCELLED', 'Cancelled; nothing was written.'));
          return;
        }
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}
