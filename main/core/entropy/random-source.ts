// Where raw randomness comes from. Production uses the OS CSPRNG through node:crypto (OpenSSL under
// Node, BoringSSL under Electron, both seeded by the OS); tests inject a source to simulate failures.
import { randomBytes } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';

export type RandomSource = (length: number) => Uint8Array;

export const osRandomSource: RandomSource = (length) => randomBytes(length);

export const OS_RANDOM_SOURCE_LABEL = 'node:crypto randomBytes (OS-seeded CSPRNG)';
export const INJECTED_RANDOM_SOURCE_LABEL = 'injected random source';

export function randomSourceLabel(source: RandomSource): string {
  return source === osRandomSource ? OS_RANDOM_SOURCE_LABEL : INJECTED_RANDOM_SOURCE_LABEL;
}

/** Draws `length` bytes and refuses a source that returns anything else. */
export function drawFrom(source: RandomSource, length: number): Uint8Array {
  const drawn = source(length);
  if (!(drawn instanceof Uint8Array) || drawn.length !== length) {
    throw new ByokError(
      'ENTROPY_SOURCE_INVALID',
      `The random source returned ${drawn instanceof Uint8Array ? `${drawn.length} bytes` : 'no bytes'} when ${length} were asked for; nothing was generated. Check the random source.`,
      { requested: length },
    );
  }
  return drawn;
}
