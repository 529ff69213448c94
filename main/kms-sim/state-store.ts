// The simulator's persisted state in --state DIR, each file written durably (temp file, fsync, rename
// over the old one, fsync the folder) so that a kill at any moment leaves the old or the new record,
// never a torn one. It holds no key material: only a SHA-256 of imported material (enough to
// enforce the same-material rule) and the simulator's own wrapping private keys.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
  lastSimNow: number;
  keys: Record<string, SimKey>;
  parameters: Record<string, SimParameters>;
}

// One small file per record (keys/<id>.json, parameters/<token id>.json) plus clock.json, so that a
// change writes one record rather than the whole state: the simulator stays fast with thousands of keys.
const KEYS = 'keys';
const PARAMETERS = 'parameters';
const CLOCK = 'clock.json';

function writeDurably(dir: string, name: string, content: string): void {
  const path = join(dir, name);
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

function readRecords<T>(dir: string): T[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T);
}

export class SimStore {
  readonly state: SimState;
  private readonly stateDir: string;

  constructor(stateDir: string) {
    this.stateDir = stateDir;
    mkdirSync(join(stateDir, KEYS), { recursive: true });
    mkdirSync(join(stateDir, PARAMETERS), { recursive: true });
    const clockPath = join(stateDir, CLOCK);
    const clock = existsSync(clockPath) ? (JSON.parse(readFileSync(clockPath, 'utf8')) as { lastSimNow: number }) : { lastSimNow: 0 };
    const keys = readRecords<SimKey>(join(stateDir, KEYS));
    const parameters = readRecords<SimParameters>(join(stateDir, PARAMETERS));
    // The clock never goes back before anything already recorded, even after a kill.
    const latestEvent = Math.max(0, ...keys.map((key) => key.createdAt), ...parameters.map((entry) => entry.issuedAt));
    this.state = {
      lastSimNow: Math.max(clock.lastSimNow, latestEvent),
      keys: Object.fromEntries(keys.map((key) => [key.keyId, key])),
      parameters: Object.fromEntries(parameters.map((entry) => [entry.tokenId, entry])),
    };
  }

  saveKey(key: SimKey): void {
    this.state.keys[key.keyId] = key;
    writeDurably(join(this.stateDir, KEYS), `${key.keyId}.json`, JSON.stringify(key));
  }

  saveParameters(parameters: SimParameters): void {
    this.state.parameters[parameters.tokenId] = parameters;
    writeDurably(join(this.stateDir, PARAMETERS), `${parameters.tokenId}.json`, JSON.stringify(parameters));
  }

  dropParameters(tokenId: string): void {
    delete this.state.parameters[tokenId];
    rmSync(join(this.stateDir, PARAMETERS, `${tokenId}.json`), { force: true });
  }

  saveClock(lastSimNow: number): void {
    this.state.lastSimNow = Math.max(this.state.lastSimNow, lastSimNow);
    writeDurably(this.stateDir, CLOCK, JSON.stringify({ lastSimNow: this.state.lastSimNow }));
  }
}
