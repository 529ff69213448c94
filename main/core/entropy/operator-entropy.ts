// Entropy the operator brings (a file, dice rolls typed in). It is only ever mixed in on top of the OS
// draw (draw-key-material.ts), so a poor or hostile input cannot weaken a key; it is never recorded,
// only its kind, a label and its length. The caller owns `bytes` and zeroes them when done.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import type { EntropySourceKind } from './evidence.ts';

export interface OperatorEntropy {
  kind: 'file' | 'dice';
  label: string;
  bytes: Uint8Array;
}

/** Larger inputs add nothing HKDF-SHA-512 can keep (its state is 512 bits) and cost memory. */
export const OPERATOR_ENTROPY_MAX_BYTES = 1024 * 1024;

export const OPERATOR_EVIDENCE_KIND: Readonly<Record<OperatorEntropy['kind'], EntropySourceKind>> = Object.freeze({
  file: 'operator-file',
  dice: 'operator-dice',
});

export async function operatorEntropyFromFile(path: string): Promise<OperatorEntropy> {
  // Messages show the path as the user gave it (`/dev/null`, not `null`), so they can find what was
  // refused; the evidence label and the details keep only the file's name.
  const name = basename(path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ByokError('FILE_NOT_FOUND', `The entropy file ${path} does not exist. Check the path and try again.`, { file: name });
    }
    throw new ByokError('ENTROPY_SOURCE_INVALID', `The entropy file ${path} cannot be opened (${code ?? 'unknown error'}). Check its permissions.`, { file: name });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new ByokError('ENTROPY_SOURCE_INVALID', `The entropy source ${path} is not a regular file. Save the entropy to a file and pass that file.`, { file: name });
    }
    refuseSize(path, name, stats.size);
    // Read at most one byte more than allowed, so a file that grew after stat() is still refused.
    const buffer = new Uint8Array(Math.min(stats.size, OPERATOR_ENTROPY_MAX_BYTES) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) break;
    }
    if (filled !== stats.size) {
      buffer.fill(0);
      throw new ByokError('ENTROPY_SOURCE_INVALID', `The entropy file ${path} changed while it was read. Pass a file that is not being written to.`, { file: name });
    }
    const bytes = buffer.slice(0, filled);
    buffer.fill(0);
    return { kind: 'file', label: `file ${name}`, bytes };
  } finally {
    await handle.close();
  }
}

function refuseSize(path: string, name: string, size: number): void {
  if (size === 0) {
    throw new ByokError('ENTROPY_SOURCE_INVALID', `The entropy file ${path} is empty. Pass a file with the operator's entropy in it, or leave it out.`, { file: name, bytes: 0 });
  }
  if (size > OPERATOR_ENTROPY_MAX_BYTES) {
    throw new ByokError(
      'ENTROPY_SOURCE_INVALID',
      `The entropy file ${path} is larger than 1 MiB; more adds nothing to the mix. Pass a file of at most ${OPERATOR_ENTROPY_MAX_BYTES} bytes.`,
      { file: name, bytes: size, maxBytes: OPERATOR_ENTROPY_MAX_BYTES },
    );
  }
}

/**
 * Dice rolls typed in as digits 1-6; whitespace between groups is allowed and ignored, anything else is
 * refused (the message gives the position, never the rolls). Each roll becomes one byte, its ASCII digit.
 */
export function operatorEntropyFromDice(rolls: string): OperatorEntropy {
  const digits: number[] = [];
  for (let i = 0; i < rolls.length; i++) {
    const code = rolls.charCodeAt(i);
    if (code >= 0x31 && code <= 0x36) digits.push(code);
    else if (!/\s/.test(rolls[i]!)) {
      digits.fill(0);
      throw new ByokError(
        'ENTROPY_SOURCE_INVALID',
        `Dice rolls may contain only the digits 1 to 6 (and spaces); character ${i + 1} is not one. Type the rolls again.`,
        { position: i + 1 },
      );
    }
  }
  if (digits.length === 0) {
    throw new ByokError('ENTROPY_SOURCE_INVALID', 'No dice rolls were given. Type the rolls as digits 1 to 6, or leave dice entropy out.', { rolls: 0 });
  }
  if (digits.length > OPERATOR_ENTROPY_MAX_BYTES) {
    throw new ByokError('ENTROPY_SOURCE_INVALID', `More than ${OPERATOR_ENTROPY_MAX_BYTES} dice rolls were given; type fewer.`, { rolls: digits.length });
  }
  const bytes = Uint8Array.from(digits);
  digits.fill(0);
  return { kind: 'dice', label: `${bytes.length} dice rolls`, bytes };
}
