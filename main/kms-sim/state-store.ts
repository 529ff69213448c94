// The simulator's persisted state: one JSON file in --state DIR, written durably (temp file, fsync,
// rename over the old one, fsync the folder) so that a kill at any moment leaves the old or the new
// state, never a torn one. It holds no key material: only a SHA-256 of imported material (enough to
// enforce the same-material rule) and the simulator's own wrapping private keys.
import { mkdirSync, openSync, fsyncSync, writeSync, closeSync, renameSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export type SimProvider = 'aws' | 'tencent' | 'huawei';
export type SimKeyState = 'PendingImport' | 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface SimKey {
  provider: SimProvider;
  keyId: string;
  alias: string;
  description: string;
  /** The provider's own spec name as given on creation. */
  providerSpec: string;
  kind: 'symmetric' | 'rsa' | 'ec';
  /** Symmetric: material length in bytes; RSA: modulus bits; EC: field bits. */
  size: number;
  keyUsage: string;
  origin: 'EXTERNAL';
  createdAt: number;
  state: SimKeyState;
  /** SHA-256 (hex) of the first material ever imported; kept after deletion or expiry. */
  materialSha256: string | null;
  materialPresent: boolean;
  /** Material expiry, epoch milliseconds; null = does not expire. */
  validTo: number | null;
  /** Base64 DER SPKI of an imported asymmetric key. */
  publicKeySpki: string | null;
  /** Tencent: only the most recent parameters stay valid. */
  latestTokenId: string | null;
}

export interface SimParameters {
  tokenId: string;
  keyId: string;
  provider: SimProvider;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  wrappingPrivateKeyPem: string;
  wrappingPublicKeySpki: string;
  issuedAt: number;
  validTo: number;
}

export interface SimState {
  version: 1;
  lastSimNow: number;
  keys: Record<string, SimKey>;
  parameters: Record<string, SimParameters>;
}

const FILE_NAME = 'kms-sim-state.json';

export function emptyState(): SimState {
  return { version: 1, lastSimNow: 0, keys: {}, parameters: {} };
}

export function loadState(stateDir: string): SimState {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, FILE_NAME);
  if (!existsSync(path)) return emptyState();
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as SimState;
  if (parsed.version !== 1) throw new Error(`Unknown simulator state version in ${path}`);
  return parsed;
}

export function saveState(stateDir: string, state: SimState): void {
  const path = join(stateDir, FILE_NAME);
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dirFd = openSync(stateDir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
