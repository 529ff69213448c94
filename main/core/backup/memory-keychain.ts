// A keychain test double and a fault injector that wraps any keychain (the real one included), so a
// test can make the Nth write fail or the store turn locked half-way through a batch.
import { ByokError } from '../../../shared/errors.ts';
import type { Keychain } from './keychain.ts';

export type KeychainOperation = 'set' | 'get' | 'delete' | 'list';

export interface FaultPlan {
  /** Operations (of the kinds in `counting`) that succeed before every further one fails. */
  failAfter?: number;
  /** Which operations count toward and are hit by `failAfter`; all of them when absent. */
  counting?: KeychainOperation[];
  /** How an injected failure looks: an unreachable store or a locked one. */
  failure?: 'unavailable' | 'locked';
  /** Starts locked: every operation fails with KEYCHAIN_LOCKED until `unlock()`. */
  locked?: boolean;
}

export interface FaultyKeychain extends Keychain {
  lock(): void;
  unlock(): void;
  /** Replaces the fault plan; the operation counter restarts. */
  plan(next: FaultPlan): void;
}

const FAILURES = {
  unavailable: () => new ByokError('KEYCHAIN_UNAVAILABLE', 'The OS keychain could not be reached (injected fault). Start the Secret Service and try again.'),
  locked: () => new ByokError('KEYCHAIN_LOCKED', 'The OS keychain is locked (injected fault). Unlock it and try again.'),
} as const;

export function injectFaults(inner: Keychain, initial: FaultPlan = {}): FaultyKeychain {
  let current = initial;
  let counted = 0;
  let locked = initial.locked ?? false;
  const gate = (operation: KeychainOperation): void => {
    if (locked) throw FAILURES.locked();
    if (current.failAfter === undefined) return;
    if (current.counting && !current.counting.includes(operation)) return;
    if (counted >= current.failAfter) throw FAILURES[current.failure ?? 'unavailable']();
    counted++;
  };
  return {
    async set(account, secret) {
      gate('set');
      await inner.set(account, secret);
    },
    async get(account) {
      gate('get');
      return inner.get(account);
    },
    async delete(account) {
      gate('delete');
      return inner.delete(account);
    },
    async list() {
      gate('list');
      return inner.list();
    },
    lock: () => {
      locked = true;
    },
    unlock: () => {
      locked = false;
    },
    plan: (next) => {
      current = next;
      counted = 0;
      locked = next.locked ?? false;
    },
  };
}

export interface MemoryKeychain extends FaultyKeychain {
  /** The stored items, for tests that damage them directly. */
  readonly items: Map<string, Uint8Array>;
}

/** An in-memory keychain (copies in and out, like a real store) with fault injection. */
export function memoryKeychain(plan: FaultPlan = {}): MemoryKeychain {
  const items = new Map<string, Uint8Array>();
  const store: Keychain = {
    async set(account, secret) {
      items.get(account)?.fill(0);
      items.set(account, Uint8Array.from(secret));
    },
    async get(account) {
      const item = items.get(account);
      return item ? Uint8Array.from(item) : null;
    },
    async delete(account) {
      const item = items.get(account);
      item?.fill(0);
      return items.delete(account);
    },
    async list() {
      return [...items.keys()];
    },
  };
  return Object.assign(injectFaults(store, plan), { items });
}
