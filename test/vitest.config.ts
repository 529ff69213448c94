import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One runner for unit, integration and end-to-end tests. Integration and e2e tests use real parts
// (Secret Service, openssl, Chromium, the KMS simulator); `npm test` (test/harness/test.ts) provides the
// Secret Service when none is reachable. Two cores on the build machines: keep forks bounded.
export default defineConfig({
  // Paths below are from the repository root, where `npm test` runs.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
