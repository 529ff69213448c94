// Every parameters call gets its own fresh RSA wrapping key pair, as the providers issue. Generating
// RSA-2048 takes ~100 ms of CPU; a few pairs are generated ahead in the background (off the event
// loop) so that the wait overlaps with the client's own work. A pair is handed out once, never reused.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface WrappingKeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** How many pairs of each size to keep ready: only the default size is worth pre-generating. */
const READY: Record<number, number> = { 2048: 3 };

export class WrappingKeyPool {
  private readonly ready = new Map<number, Array<Promise<WrappingKeyPair>>>();

  private generate(modulusLength: number): Promise<WrappingKeyPair> {
    const pending = generateKeyPairAsync('rsa', { modulusLength });
    pending.catch(() => undefined);
    return pending;
  }

  take(modulusLength: number): Promise<WrappingKeyPair> {
    const queue = this.ready.get(modulusLength) ?? [];
    this.ready.set(modulusLength, queue);
    const pair = queue.shift() ?? this.generate(modulusLength);
    while (queue.length < (READY[modulusLength] ?? 0)) queue.push(this.generate(modulusLength));
    return pair;
  }
}
