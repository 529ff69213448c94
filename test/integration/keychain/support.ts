// A fresh Secret Service namespace per test (a unique service name), removed afterwards, so tests never
// see each other's items or the developer's own.
import { randomUUID } from 'node:crypto';
import { osKeychain, type Keychain } from '../../../main/core/backup/index.ts';

export interface TestNamespace {
  service: string;
  keychain: Keychain;
  cleanup(): Promise<void>;
}

export function freshNamespace(): TestNamespace {
  const service = `byok-test-${randomUUID()}`;
  const keychain = osKeychain(service);
  return {
    service,
    keychain,
    async cleanup() {
      for (const account of await keychain.list()) await keychain.delete(account);
    },
  };
}
