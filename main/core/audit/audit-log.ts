// The ceremony's append-only, hash-chained log: audit.jsonl in the vault folder, one event per line
// (CHAIN-FORMAT.md). Kept out of the vault database so its growth never makes a vault save slower.
//
// Appends stay O(1) as the log grows: the head (last seq and hash) is read once at open from the end of
// the file and then kept in memory; each append is one write (O_APPEND) and one fdatasync. Full
// verification reads everything and happens only in verify(). The vault's lock (vault.lock) also guards
// this file: one writer per vault folder.
//
// A torn tail (a crash mid-append, never acknowledged) is left in place for verify() to report; the next
// append moves it to audit.jsonl.torn (kept for inspection) and truncates it before writing.
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import { isoUtc } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { GENESIS_HASH, encodeEvent, hashBody, sealEvent } from './audit-event.ts';
import type { AuditEvent, NewAuditEvent } from './audit-event.ts';
import { signCheckpoint } from './checkpoint.ts';
import type { CheckpointSigner } from './checkpoint.ts';
import { parseEventLine, splitLines, verifyChain } from './chain-verify.ts';
import type { ChainVerification } from './chain-verify.ts';
import { renderTranscript } from './transcript.ts';
import type { TranscriptFormat } from './transcript.ts';
import { syncFolderQuietly } from './sync-folder.ts';

export const AUDIT_FILE_NAME = 'audit.jsonl';

export interface AuditListFilter {
  /** Events about this key (data.keyId, data.keyIds[] or data.keys[].keyId/id). */
  keyId?: string;
  type?: string;
  /** Keep only the latest N matching events (still oldest first). */
  limit?: number;
}

interface Tail {
  seq: number;
  hash: string;
  /** The last event's link: the hash of the event before it (GENESIS_HASH when there is none). */
  prev: string;
  /** Bytes of the intact prefix (everything up to and including the last LF). */
  intactBytes: number;
  tornBytes: number;
  /** Set when the last complete line is not a valid event: appending would extend a broken chain. */
  broken: boolean;
}

export class AuditLog {
  readonly path: string;
  private readonly clock: Clock;
  private handle: FileHandle;
  private tail: Tail;
  private tailUncertain = false;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(path: string, clock: Clock, handle: FileHandle, tail: Tail) {
    this.path = path;
    this.clock = clock;
    this.handle = handle;
    this.tail = tail;
  }

  static async open(dir: string, options: { clock: Clock }): Promise<AuditLog> {
    const folder = resolve(dir);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, AUDIT_FILE_NAME);
    const handle = await open(path, 'a+');
    await syncFolderQuietly(folder);
    try {
      return new AuditLog(path, options.clock, handle, await readTail(handle));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Appends one event and fsyncs it before resolving. */
  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const [appended] = await this.appendMany([event]);
    return appended!;
  }

  /** Appends several events with one write and one fsync (a batch of keys, a bulk import). */
  appendMany(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    return this.serialized(() => this.appendNow(events));
  }

  /** Appends a checkpoint: the ceremony key's Ed25519 signature over the current chain head. */
  checkpoint(signer: CheckpointSigner): Promise<AuditEvent> {
    return this.serialized(async () => {
      const { seq, hash } = await this.writableTail();
      const [checkpoint] = await this.appendNow([{ type: 'checkpoint', data: { ...signCheckpoint(signer, seq, hash) } }]);
      return checkpoint!;
    });
  }

  async verify(options: Parameters<typeof verifyChain>[1] = {}): Promise<ChainVerification> {
    await this.chain;
    return verifyChain(await readFile(this.path), options);
  }

  /** The hash of the last event (GENESIS_HASH when empty). */
  head(): string {
    return this.tail.hash;
  }

  /**
   * The hash of event `seq` when it is one of the last two (read from the tail without reading the log),
   * else undefined.
   */
  /** The last complete line is not a valid event: the log was damaged or edited (verify() says where). */
  get tailBroken(): boolean {
    return this.tail.broken;
  }

  recentHash(seq: number): string | undefined {
    if (this.tail.broken) return undefined; // a damaged last line: verify() reports what is wrong with it
    if (seq === this.tail.seq) return this.tail.hash;
    if (seq === this.tail.seq - 1) return this.tail.prev;
    return undefined;
  }

  get lastSeq(): number {
    return this.tail.seq;
  }

  /** Events in the chain (the last seq); O(1). */
  count(): number {
    return this.tail.seq;
  }

  list(filter: AuditListFilter = {}): AuditEvent[] {
    const matching = this.readAll().filter((event) => (!filter.type || event.type === filter.type) && (!filter.keyId || mentionsKey(event, filter.keyId)));
    return filter.limit !== undefined ? matching.slice(Math.max(0, matching.length - filter.limit)) : matching;
  }

  /** A printable ceremony transcript (Markdown or HTML for A4/Letter). Never includes material. */
  exportTranscript(format: TranscriptFormat): string {
    return renderTranscript(this.readAll(), { format, head: { seq: this.tail.seq, hash: this.tail.hash }, generatedAt: isoUtc(this.clock.now()), logPath: this.path });
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.handle.close();
  }

  private async appendNow(events: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    const time = isoUtc(this.clock.now());
    let { seq, hash } = await this.writableTail();
    const sealed = events.map((event) => {
      const next = sealEvent({ seq: seq + 1, time, type: event.type, operator: event.operator ?? null, witnesses: [...(event.witnesses ?? [])], data: event.data, prev: hash });
      seq = next.seq;
      hash = next.hash;
      return next;
    });
    const text = Buffer.from(sealed.map((event) => `${encodeEvent(event)}\n`).join(''), 'latin1');
    try {
      this.tailUncertain = true;
      let written = 0;
      while (written < text.length) written += (await this.handle.write(text, written, text.length - written)).bytesWritten;
      await this.handle.datasync();
      this.tailUncertain = false;
    } catch (error) {
      throw new ByokError('STORAGE_FAILED', `Could not write the audit log ${this.path}: check free disk space and permissions. The events were not recorded.`, { path: this.path }, { cause: error });
    }
    this.tail = { seq, hash, prev: sealed.at(-1)?.prev ?? this.tail.prev, intactBytes: this.tail.intactBytes + text.length, tornBytes: 0, broken: false };
    return sealed;
  }

  private readAll(): AuditEvent[] {
    const { lines } = splitLines(readFileSync(this.path));
    return lines.map(parseEventLine).filter((event): event is AuditEvent => event !== null);
  }

  /** The head to append after; sets a torn tail aside first, refuses to extend a broken chain. */
  private async writableTail(): Promise<Tail> {
    if (this.tailUncertain) {
      this.tail = await readTail(this.handle);
      this.tailUncertain = false;
    }
    if (this.tail.broken) {
      throw new ByokError('AUDIT_CHAIN_BROKEN', `The last event in ${this.path} is not valid, so nothing can be appended after it. Run \`byok audit verify\` to see where the chain breaks.`, { path: this.path });
    }
    if (this.tail.tornBytes > 0) {
      const fragment = Buffer.alloc(this.tail.tornBytes);
      await this.handle.read(fragment, 0, fragment.length, this.tail.intactBytes);
      await appendFile(`${this.path}.torn`, Buffer.concat([fragment, Buffer.from('\n')]), { flush: true });
      await this.handle.truncate(this.tail.intactBytes);
      await this.handle.sync();
      this.tail = { ...this.tail, tornBytes: 0 };
    }
    return this.tail;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.catch(() => undefined);
    return result;
  }
}

/** Reads backwards from the end until the last complete line is found; O(line length), not O(log). */
async function readTail(handle: FileHandle): Promise<Tail> {
  const size = (await handle.stat()).size;
  if (size === 0) return { seq: 0, hash: GENESIS_HASH, prev: GENESIS_HASH, intactBytes: 0, tornBytes: 0, broken: false };
  let window = Math.min(size, 64 * 1024);
  for (;;) {
    const buffer = Buffer.alloc(window);
    await handle.read(buffer, 0, window, size - window);
    const text = buffer.toString('latin1');
    const lastLf = text.lastIndexOf('\n');
    if (lastLf === -1 && window < size) {
      window = Math.min(size, window * 2);
      continue;
    }
    const intactBytes = lastLf === -1 ? 0 : size - window + lastLf + 1;
    const tornBytes = size - intactBytes;
    if (intactBytes === 0) return { seq: 0, hash: GENESIS_HASH, prev: GENESIS_HASH, intactBytes: 0, tornBytes, broken: false };
    const previousLf = text.lastIndexOf('\n', lastLf - 1);
    if (previousLf === -1 && window < size) {
      window = Math.min(size, window * 2);
      continue;
    }
    const line = text.slice(previousLf + 1, lastLf);
    const event = parseEventLine(line);
    if (!event || encodeEvent(event) !== line || hashBody(withoutHash(event)) !== event.hash) {
      return { seq: event?.seq ?? 0, hash: GENESIS_HASH, prev: GENESIS_HASH, intactBytes, tornBytes, broken: true };
    }
    return { seq: event.seq, hash: event.hash, prev: event.prev, intactBytes, tornBytes, broken: false };
  }
}

function withoutHash(event: AuditEvent): Omit<AuditEvent, 'hash'> {
  const { hash: _hash, ...body } = event;
  return body;
}

function mentionsKey(event: AuditEvent, keyId: string): boolean {
  const data = event.data;
  if (data.keyId === keyId) return true;
  if (Array.isArray(data.keyIds) && data.keyIds.includes(keyId)) return true;
  return Array.isArray(data.keys) && data.keys.some((key) => typeof key === 'object' && key !== null && ((key as { keyId?: unknown }).keyId === keyId || (key as { id?: unknown }).id === keyId));
}
