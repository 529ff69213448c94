// The IPC contract: one channel per CeremonyService use case, each with a zod schema for the request and
// one for the reply. The Electron preload, the test/demo browser bridge and the renderer's types all come
// from this one table; main/ipc validates every request against it before the core runs and every reply
// after, so nothing the table does not describe crosses the process boundary.
//
// Requests are strict (an unknown field is an error, not ignored) and every string and list is bounded.
// Replies are parsed without `.strict()`: a field the core adds that the contract does not know is
// dropped, never forwarded — the reply schemas are the allow-list of what may leave the main process.
// No reply schema has a field for key material, credentials, passphrases or tokens (a test walks them).
import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';
import { KEY_SPEC_NAMES } from './key-specs.ts';
import type { CeremonyService } from './ceremony-api.ts';
import { PROVIDER_IDS, WRAPPING_ALGORITHMS } from './providers.ts';
import { IPC_CHANNEL_IDS, PROGRESS_CHANNEL, SHELL_CHANNEL_IDS } from './ipc-names.ts';

export { IPC_CHANNEL_IDS, PROGRESS_CHANNEL, SHELL_CHANNEL_IDS };

// ---------------------------------------------------------------------------------------------------
// Building blocks

export const LIMITS = Object.freeze({
  path: 4096,
  id: 128,
  alias: 255,
  description: 1024,
  person: 128,
  people: 32,
  message: 2048,
  summary: 4096,
  listShort: 256,
  listLong: 200_000,
  keysPerRequest: 1000,
  entropyFiles: 16,
  diceRolls: 4096,
  credential: 4096,
  sessionToken: 8192,
});

const bounded = (max: number) => z.string().max(max);
const nonEmpty = (max: number) => z.string().min(1).max(max);

/** Huawei's alias rule, the strictest of the providers; the others accept a superset. */
export const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]{1,255}$/;
const alias = z.string().max(LIMITS.alias).regex(ALIAS_PATTERN);
/** Replies: the core may hold keys without an alias (imported, restored); bounded, not patterned. */
const aliasShown = bounded(LIMITS.alias);
/** A raw Ed25519 public key in base64, as `vault info` shows a vault's ceremony key. */
const ceremonyPublicKey = z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, 'not an Ed25519 public key in base64 (44 characters)');
const path = nonEmpty(LIMITS.path).refine((value) => !value.includes('\0'), 'path contains a NUL byte');
const id = nonEmpty(LIMITS.id);
const person = nonEmpty(LIMITS.person);
const timestamp = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/);
const sha256Hex = z.string().max(64).regex(/^[0-9a-fA-F]{64}$/);
const reason = bounded(LIMITS.message);
const warnings = z.array(bounded(LIMITS.message)).max(LIMITS.listShort);

const keySpec = z.enum(KEY_SPEC_NAMES);
const providerId = z.enum(PROVIDER_IDS);
const wrappingAlgorithm = z.enum(WRAPPING_ALGORITHMS);
const providerType = z.enum(['huawei', 'tencent', 'aws']);
const providerName = z.string().max(64).regex(/^[a-zA-Z0-9._-]{1,64}$/);
const region = z.string().max(64).regex(/^[a-zA-Z0-9-]{1,64}$/);

const check = z.object({
  kind: z.enum(['kcv', 'fingerprint']),
  value: z.string().max(64).regex(/^[0-9A-Fa-f]{6,64}$/),
});

const operatorContext = {
  operator: person.optional(),
  witnesses: z.array(person).max(LIMITS.people).optional(),
};

const empty = z.object({}).strict();

/** Paper the transcript is printed on (its print CSS fits both). */
export const PAPER_SIZES = ['A4', 'Letter'] as const;
export type PaperSize = (typeof PAPER_SIZES)[number];

// ---------------------------------------------------------------------------------------------------
// Replies (what may leave the core)

const keyHead = { id, alias: aliasShown, spec: keySpec, check };

const remoteState = z.enum(['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion', 'Unknown']);

const remoteBinding = z.object({
  provider: providerName,
  providerType: providerId,
  region: region.nullable(),
  remoteKeyId: nonEmpty(512),
  state: remoteState,
  materialExpiry: timestamp.nullable(),
  lastSyncedAt: timestamp.nullable(),
});

const keySummary = z.object({
  ...keyHead,
  description: bounded(LIMITS.description).nullable(),
  createdAt: timestamp,
  status: z.enum(['active', 'backup-missing', 'restored']),
  backup: z.enum(['verified', 'unverified', 'missing']),
  remote: z.array(remoteBinding).max(LIMITS.listShort),
});

const auditEvent = z.object({
  seq: z.number().int().nonnegative(),
  time: timestamp,
  type: nonEmpty(64),
  operator: bounded(LIMITS.person).nullable(),
  witnesses: z.array(bounded(LIMITS.person)).max(LIMITS.people),
  summary: bounded(LIMITS.summary),
});
const auditEvents = z.object({ events: z.array(auditEvent).max(LIMITS.listLong) });

const outputFile = z.object({ name: nonEmpty(255), path, sha256: sha256Hex });

const reconciliationReport = z.object({
    backupsWithoutRecord: z.array(id).max(LIMITS.listLong),
    recordsWithoutBackup: z.array(id).max(LIMITS.listLong),
    damagedBatches: z
      .array(
        z.object({
          batchId: id,
          problems: z.array(bounded(LIMITS.message)).max(LIMITS.listShort),
          keyIds: z.array(id).max(LIMITS.keysPerRequest),
        }),
      )
      .max(LIMITS.listShort)
      .optional(),
});

const vaultInfoReply = z.object({
  vaultId: id,
  dir: path,
  keys: z.number().int().nonnegative(),
  ceremonyPublicKey: bounded(LIMITS.summary).nullable(),
  ceremonyKeyProblem: bounded(LIMITS.message).nullable(),
  reconciliation: reconciliationReport,
});

const generateKeysReply = z.object({
  keys: z.array(z.object({ ...keyHead, createdAt: timestamp })).max(LIMITS.keysPerRequest),
  entropy: z.object({
    sources: z
      .array(z.object({ kind: nonEmpty(64), label: bounded(LIMITS.path), bytes: z.number().int().nonnegative() }))
      .max(LIMITS.listShort),
    healthPassed: z.boolean(),
  }),
  outputs: z
    .object({
      provider: providerId,
      algorithm: wrappingAlgorithm,
      warnings,
      keys: z.array(z.object({ keyId: id, files: z.array(outputFile).max(LIMITS.listShort) })).max(LIMITS.keysPerRequest),
    })
    .optional(),
});

const paramsSummary = z.object({
  provider: providerId,
  remoteKeyId: bounded(512).nullable(),
  wrappingKeySpec: nonEmpty(64),
  wrappingKeyBits: z.number().int().positive(),
  algorithm: wrappingAlgorithm.nullable(),
  algorithmsAllowed: z.partialRecord(keySpec, z.array(wrappingAlgorithm).max(32)),
  parametersValidTo: timestamp.nullable(),
  secondsLeft: z.number().int().nullable(),
  warnings,
});

const wrapReply = z.object({
  files: z.array(outputFile).max(LIMITS.listShort),
  check,
  provider: providerId,
  algorithm: wrappingAlgorithm,
  warnings,
});

const wrapAllReply = z.object({
  keys: z.array(z.object({ keyId: id, ...wrapReply.shape })).max(LIMITS.keysPerRequest),
});

const deleteMaterialReply = z.object({ keyId: id, provider: providerName, remoteKeyId: nonEmpty(512), state: remoteState });

/** A plan's problems carry its own rule codes or a core error code: an upper-case word, not free text. */
const problemCode = z.string().max(64).regex(/^[A-Z][A-Z0-9_]{0,63}$/);
const planCheckReply = z.object({
  planPath: path,
  ok: z.boolean(),
  sha256: sha256Hex,
  words: bounded(LIMITS.summary),
  checkedAt: timestamp,
  ceremony: bounded(LIMITS.description).nullable(),
  operator: bounded(LIMITS.person).nullable(),
  witnesses: z.array(bounded(LIMITS.person)).max(LIMITS.people * 8),
  confirmations: z.enum(['witness', 'none']).nullable(),
  keys: z
    .array(
      z.object({
        alias: aliasShown,
        label: bounded(LIMITS.alias + 8),
        spec: keySpec,
        count: z.number().int().min(1).max(LIMITS.keysPerRequest),
        description: bounded(LIMITS.description).nullable(),
        paramsFile: path,
        paramsPath: path,
        provider: providerId.nullable(),
        algorithm: wrappingAlgorithm.nullable(),
        materialExpiry: timestamp.nullable(),
        outDir: path,
      }),
    )
    .max(LIMITS.keysPerRequest),
  output: path.nullable(),
  backup: z
    .object({
      keychain: z.boolean(),
      split: z
        .object({
          threshold: z.number().int(),
          total: z.number().int(),
          custodians: z.array(bounded(LIMITS.person)).max(255).nullable(),
          folder: path.nullable(),
        })
        .nullable(),
      escrowPath: path.nullable(),
    })
    .nullable(),
  problems: z
    .array(
      z.object({
        line: z.number().int().positive().optional(),
        column: z.number().int().positive().optional(),
        path: bounded(LIMITS.path),
        code: problemCode,
        message: reason,
      }),
    )
    .max(LIMITS.listShort * 4),
});

const bundleVerifyReply = z.object({
  valid: z.literal(true),
  keyId: id,
  alias: aliasShown,
  spec: keySpec,
  check,
  provider: providerId,
  algorithm: wrappingAlgorithm,
  signerPublicKey: bounded(LIMITS.summary),
  signedByThisVault: z.boolean(),
});

const backupVerifyReply = z.object({
  verified: z.number().int().nonnegative(),
  failed: z.array(z.object({ id, reason })).max(LIMITS.listLong),
});
const backupRestoreReply = z.object({ key: z.object(keyHead), restoredRecord: z.boolean() });
const vaultRebuildReply = z.object({
  recovered: z.array(z.object(keyHead)).max(LIMITS.listLong),
  unrecoverable: z.array(z.object({ item: bounded(LIMITS.path), reason })).max(LIMITS.listLong),
  quarantined: z.array(bounded(LIMITS.path)).max(LIMITS.listLong),
});

const sharesSplitReply = z.object({
  keyId: id,
  check,
  files: z
    .array(
      z.object({
        index: z.number().int().positive(),
        path,
        shareCheck: z.string().max(64).regex(/^[0-9A-Fa-f]{6,64}$/),
        custodian: bounded(LIMITS.person).nullable(),
      }),
    )
    .max(255),
  subsetsVerified: z.number().int().nonnegative(),
});
const sharesCombineReply = z.object({
  keyId: id,
  check,
  sharesUsed: z.number().int().nonnegative(),
  restoredToKeychain: z.boolean(),
});
const escrowWriteReply = z.object({ path, keys: z.number().int().nonnegative(), sha256: sha256Hex });

const auditVerifyReply = z.object({
  valid: z.boolean(),
  events: z.number().int().nonnegative(),
  head: bounded(128),
  problem: z.object({ seq: z.number().int().nonnegative(), reason }).optional(),
  acceptedLosses: z.array(z.object({ seq: z.number().int().positive(), recordedSeq: z.number().int().nonnegative() })).max(1000).optional(),
});

const providerSummary = z.object({
  name: providerName,
  type: providerType,
  region,
  projectId: bounded(128).optional(),
  endpoint: bounded(2048).optional(),
  hasCredentials: z.boolean(),
  connected: z.boolean(),
});

const syncReply = z.object({
  imported: z.array(id).max(LIMITS.listLong),
  expiring: z.array(z.object({ id, materialExpiry: timestamp })).max(LIMITS.listLong),
  expired: z.array(id).max(LIMITS.listLong),
  drifted: z.array(z.object({ id, reason })).max(LIMITS.listLong),
  renewed: z.array(id).max(LIMITS.listLong),
  renewalRequests: z.array(bounded(LIMITS.path)).max(LIMITS.listLong),
  pendingJobs: z.number().int().nonnegative(),
  failedJobs: z.array(z.object({ id, reason })).max(LIMITS.listLong),
});

const syncJob = z.object({
  id,
  kind: nonEmpty(64),
  keyId: id.nullable(),
  provider: providerName,
  status: z.enum(['pending', 'running', 'done', 'failed']),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: timestamp.nullable(),
  lastError: bounded(LIMITS.message).nullable(),
});

const offlineCheckReply = z.object({
  offline: z.boolean(),
  interfaces: z
    .array(z.object({ name: nonEmpty(64), addresses: z.array(bounded(64)).max(LIMITS.listShort) }))
    .max(LIMITS.listShort),
  defaultRoute: z.boolean(),
  checkedAt: timestamp,
});

// ---------------------------------------------------------------------------------------------------
// Requests (what may enter the core)

const generateKeysRequest = z
  .object({
    ...operatorContext,
    spec: keySpec,
    alias,
    description: bounded(LIMITS.description).optional(),
    count: z.number().int().min(1).max(LIMITS.keysPerRequest).optional(),
    entropyFiles: z.array(path).max(LIMITS.entropyFiles).optional(),
    diceRolls: z.string().max(LIMITS.diceRolls).regex(/^[1-6]*$/).optional(),
    wrap: z
      .object({
        paramsPath: path,
        algorithm: wrappingAlgorithm.optional(),
        materialExpiry: z.union([z.literal('never'), timestamp]).optional(),
        outDir: path,
      })
      .strict()
      .optional(),
  })
  .strict();

const wrapRequest = z
  .object({
    ...operatorContext,
    keyId: id,
    paramsPath: path,
    algorithm: wrappingAlgorithm.optional(),
    materialExpiry: z.union([z.literal('never'), timestamp]).optional(),
    outDir: path,
  })
  .strict();

const wrapAllRequest = z
  .object({
    ...operatorContext,
    paramsPath: path,
    algorithm: wrappingAlgorithm.optional(),
    materialExpiry: z.union([z.literal('never'), timestamp]).optional(),
    outDir: path,
  })
  .strict();

const sharesSplitRequest = z
  .object({
    ...operatorContext,
    keyId: id,
    threshold: z.number().int().min(1).max(255),
    shares: z.number().int().min(1).max(255),
    outDir: path,
    custodians: z.array(person).max(255).optional(),
  })
  .strict();

const providerAddRequest = z
  .object({
    name: providerName,
    type: providerType,
    region,
    projectId: nonEmpty(128).optional(),
    endpoint: z.string().max(2048).regex(/^https?:\/\/[^\s]+$/).optional(),
    accessKeyId: nonEmpty(LIMITS.credential),
    secret: nonEmpty(LIMITS.credential),
    sessionToken: nonEmpty(LIMITS.sessionToken).optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------
// The channel table

export interface ChannelSpec<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType, Long extends boolean = boolean> {
  /** The Electron IPC channel name (and the bridge's /ipc/<method> path uses the table key). */
  channel: string;
  request: Req;
  reply: Rep;
  /** Long work: streams progress events and can be cancelled through the `cancel` channel. */
  long: Long;
}

function channel<Req extends z.ZodType, Rep extends z.ZodType, Long extends boolean = false>(
  id: string,
  request: Req,
  reply: Rep,
  long?: Long,
): ChannelSpec<Req, Rep, Long> {
  return { channel: id, request, reply, long: (long ?? false) as Long };
}

export const SERVICE_CHANNELS = {
  vaultInfo: channel(IPC_CHANNEL_IDS.vaultInfo, empty, vaultInfoReply),
  reconcile: channel(IPC_CHANNEL_IDS.reconcile, empty, reconciliationReport),
  generateKeys: channel(IPC_CHANNEL_IDS.generateKeys, generateKeysRequest, generateKeysReply, true),
  listKeys: channel(IPC_CHANNEL_IDS.listKeys,
    z.object({ search: bounded(LIMITS.alias).optional(), spec: keySpec.optional() }).strict(),
    z.object({ keys: z.array(keySummary).max(LIMITS.listLong) }),
  ),
  keyHistory: channel(IPC_CHANNEL_IDS.keyHistory, z.object({ keyId: id }).strict(), auditEvents),
  inspectParams: channel(IPC_CHANNEL_IDS.inspectParams,
    z.object({ path, algorithm: wrappingAlgorithm.optional() }).strict(),
    paramsSummary,
  ),
  wrap: channel(IPC_CHANNEL_IDS.wrap, wrapRequest, wrapReply, true),
  wrapAll: channel(IPC_CHANNEL_IDS.wrapAll, wrapAllRequest, wrapAllReply, true),
  verifyBundle: channel(IPC_CHANNEL_IDS.verifyBundle, z.object({ path }).strict(), bundleVerifyReply),
  backupVerify: channel(IPC_CHANNEL_IDS.backupVerify, z.object({ keyId: id.optional() }).strict(), backupVerifyReply, true),
  backupRestore: channel(IPC_CHANNEL_IDS.backupRestore,
    z.object({ ...operatorContext, keyId: id }).strict(),
    backupRestoreReply,
  ),
  vaultRebuild: channel(IPC_CHANNEL_IDS.vaultRebuild, z.object(operatorContext).strict(), vaultRebuildReply),
  sharesSplit: channel(IPC_CHANNEL_IDS.sharesSplit, sharesSplitRequest, sharesSplitReply),
  sharesCombine: channel(IPC_CHANNEL_IDS.sharesCombine,
    z.object({ ...operatorContext, paths: z.array(path).min(1).max(255) }).strict(),
    sharesCombineReply,
  ),
  escrowWrite: channel(IPC_CHANNEL_IDS.escrowWrite,
    z
      .object({
        ...operatorContext,
        keyIds: z.array(id).min(1).max(LIMITS.keysPerRequest),
        path,
        passphrase: nonEmpty(1024),
      })
      .strict(),
    escrowWriteReply,
  ),
  auditVerify: channel(IPC_CHANNEL_IDS.auditVerify, empty, auditVerifyReply),
  auditList: channel(IPC_CHANNEL_IDS.auditList,
    z.object({ keyId: id.optional(), limit: z.number().int().min(1).max(LIMITS.listLong).optional() }).strict(),
    auditEvents,
  ),
  auditExport: channel(IPC_CHANNEL_IDS.auditExport,
    z.object({ format: z.enum(['md', 'html']), out: path }).strict(),
    outputFile,
  ),
  providerAdd: channel(IPC_CHANNEL_IDS.providerAdd, providerAddRequest, providerSummary),
  providerList: channel(IPC_CHANNEL_IDS.providerList, empty, z.object({ providers: z.array(providerSummary).max(LIMITS.listShort) })),
  providerRemove: channel(IPC_CHANNEL_IDS.providerRemove, z.object({ name: providerName }).strict(), z.object({ removed: z.boolean() })),
  sync: channel(IPC_CHANNEL_IDS.sync,
    z.object({ provider: providerName.optional(), renewalWindowDays: z.number().int().min(1).max(365).optional() }).strict(),
    syncReply,
    true,
  ),
  syncJobs: channel(IPC_CHANNEL_IDS.syncJobs, empty, z.object({ jobs: z.array(syncJob).max(LIMITS.listLong) })),
  remoteCreateKey: channel(IPC_CHANNEL_IDS.remoteCreateKey,
    z.object({ ...operatorContext, provider: providerName, keyId: id, description: bounded(LIMITS.description).optional() }).strict(),
    z.object({ keyId: id, provider: providerName, remoteKeyId: nonEmpty(512) }),
  ),
  remoteParams: channel(IPC_CHANNEL_IDS.remoteParams,
    z
      .object({
        ...operatorContext,
        provider: providerName,
        keyIds: z.array(id).min(1).max(LIMITS.keysPerRequest),
        algorithm: wrappingAlgorithm.optional(),
        out: path,
      })
      .strict(),
    z.object({ path, keys: z.number().int().nonnegative(), parametersValidTo: timestamp.nullable(), sha256: sha256Hex }),
  ),
  importBundle: channel(IPC_CHANNEL_IDS.importBundle,
    z.object({ ...operatorContext, path, provider: providerName.optional(), trustSigner: ceremonyPublicKey.optional() }).strict(),
    z.object({
      keyId: id,
      provider: providerName,
      remoteKeyId: nonEmpty(512),
      state: remoteState,
      materialExpiry: timestamp.nullable(),
      proof: bounded(LIMITS.message),
    }),
    true,
  ),
  renewKey: channel(IPC_CHANNEL_IDS.renewKey,
    z
      .object({
        ...operatorContext,
        keyId: id,
        provider: providerName.optional(),
        materialExpiry: z.union([z.literal('never'), timestamp]).optional(),
        out: path.optional(),
      })
      .strict(),
    z.object({ keyId: id, renewed: z.boolean(), renewalRequest: path.nullable(), materialExpiry: timestamp.nullable() }),
  ),
  deleteMaterial: channel(IPC_CHANNEL_IDS.deleteMaterial,
    z.object({ ...operatorContext, keyId: id, provider: providerName.optional() }).strict(),
    deleteMaterialReply,
  ),
  offlineCheck: channel(IPC_CHANNEL_IDS.offlineCheck, empty, offlineCheckReply),
  planCheck: channel(IPC_CHANNEL_IDS.planCheck,
    z.object({ path, at: timestamp.optional() }).strict(),
    planCheckReply,
  ),
  recordCeremonyStep: channel(IPC_CHANNEL_IDS.recordCeremonyStep,
    z
      .object({
        ...operatorContext,
        ceremonyId: id,
        planSha256: sha256Hex,
        step: nonEmpty(64),
        status: z.enum(['started', 'done', 'confirmed', 'refused', 'skipped']),
        keyId: id.optional(),
        detail: z
          .record(
            z.string().max(64).regex(/^[a-zA-Z0-9_.-]{1,64}$/),
            z.union([bounded(LIMITS.message), z.number(), z.boolean(), z.null()]),
          )
          .refine((detail) => Object.keys(detail).length <= 32, 'at most 32 detail entries')
          .optional(),
      })
      .strict(),
    z.object({ seq: z.number().int().nonnegative(), hash: z.string().max(128).regex(/^[0-9a-zA-Z+/=_-]+$/) }),
  ),
} as const;

export type ServiceChannelName = keyof typeof SERVICE_CHANNELS;
export type LongChannelName = {
  [K in ServiceChannelName]: (typeof SERVICE_CHANNELS)[K]['long'] extends true ? K : never;
}[ServiceChannelName];

export const LONG_CHANNEL_NAMES = (Object.keys(SERVICE_CHANNELS) as ServiceChannelName[]).filter(
  (name) => SERVICE_CHANNELS[name].long,
) as LongChannelName[];

/** Channels served by main/ipc itself rather than by the core. */
export const CONTROL_CHANNELS = {
  /** Aborts the running call(s) of a long channel; the core stops at its next safe point. */
  cancel: channel(IPC_CHANNEL_IDS.cancel,
    z.object({ operation: z.enum(LONG_CHANNEL_NAMES as [LongChannelName, ...LongChannelName[]]) }).strict(),
    z.object({ cancelled: z.number().int().nonnegative() }),
  ),
} as const;

/**
 * Desktop-only helpers the Electron main process serves (native file dialogs). Not in IPC_CHANNELS: the
 * browser bridge has no native dialog, and the renderer falls back to a path text field there.
 */
export const SHELL_CHANNELS = {
  choosePaths: channel(SHELL_CHANNEL_IDS.choosePaths,
    z
      .object({
        purpose: z.enum(['params-files', 'entropy-files', 'share-files', 'bundle-file', 'output-folder', 'save-file']),
        multiple: z.boolean().optional(),
      })
      .strict(),
    z.object({ paths: z.array(path).max(255) }),
  ),
  /** Prints the HTML transcript to a new PDF file (Chromium's print engine); never overwrites. */
  saveTranscriptPdf: channel(SHELL_CHANNEL_IDS.saveTranscriptPdf,
    z
      .object({
        out: path.refine((value) => /\.pdf$/i.test(value), 'the file name must end in .pdf'),
        paperSize: z.enum(PAPER_SIZES),
      })
      .strict(),
    outputFile,
  ),
} as const;
export type ShellChannelName = keyof typeof SHELL_CHANNELS;
export type ShellRequest<K extends ShellChannelName> = z.input<(typeof SHELL_CHANNELS)[K]['request']>;
export type ShellReply<K extends ShellChannelName> = z.output<(typeof SHELL_CHANNELS)[K]['reply']>;

export const IPC_CHANNELS = { ...SERVICE_CHANNELS, ...CONTROL_CHANNELS } as const;
export type ChannelName = keyof typeof IPC_CHANNELS;
export const CHANNEL_NAMES = Object.freeze(Object.keys(IPC_CHANNELS) as ChannelName[]);

export function isChannelName(value: string): value is ChannelName {
  return Object.hasOwn(IPC_CHANNELS, value);
}


export const progressEventSchema = z.object({
  /** The table key of the call this progress belongs to. */
  channel: z.enum(LONG_CHANNEL_NAMES as [LongChannelName, ...LongChannelName[]]),
  operation: bounded(64),
  done: z.number().int().nonnegative().max(1e9),
  total: z.number().int().nonnegative().max(1e9),
  message: bounded(LIMITS.message),
});
export type IpcProgressEvent = z.output<typeof progressEventSchema>;

export const errorSchema = z.object({ code: z.enum(ERROR_CODES), message: bounded(LIMITS.message) });

export function replyEnvelope<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: errorSchema }),
  ]);
}

// ---------------------------------------------------------------------------------------------------
// Types the renderer and the preload share

export type ChannelRequest<K extends ChannelName> = z.input<(typeof IPC_CHANNELS)[K]['request']>;
export type ChannelReply<K extends ChannelName> = z.output<(typeof IPC_CHANNELS)[K]['reply']>;
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: z.output<typeof errorSchema> };

/** `window.byok`: one method per channel, plus the progress subscription. */
export type ByokApi = {
  readonly [K in ChannelName]: (request: ChannelRequest<K>) => Promise<IpcReply<ChannelReply<K>>>;
} & {
  /** Subscribes to progress of long calls; returns the unsubscribe function. */
  readonly onProgress: (listener: (event: IpcProgressEvent) => void) => () => void;
  /** Present only in the desktop app: native file dialogs and the path of a dropped file. */
  readonly shell?: {
    readonly choosePaths: (
      request: z.input<(typeof SHELL_CHANNELS)['choosePaths']['request']>,
    ) => Promise<IpcReply<z.output<(typeof SHELL_CHANNELS)['choosePaths']['reply']>>>;
    readonly pathForFile: (file: File) => string;
    readonly saveTranscriptPdf: (
      request: z.input<(typeof SHELL_CHANNELS)['saveTranscriptPdf']['request']>,
    ) => Promise<IpcReply<z.output<(typeof SHELL_CHANNELS)['saveTranscriptPdf']['reply']>>>;
  };
};

// ---------------------------------------------------------------------------------------------------
// Compile-time proof that the table and the service agree: every service method except close() has a
// channel, and every reply schema accepts what the service returns.

type ServiceMethod = Exclude<keyof CeremonyService, 'close'>;
type ServiceReply<K extends ServiceMethod> = Awaited<ReturnType<CeremonyService[K]>>;
type ChannelsCoverService = Exclude<ServiceMethod, ServiceChannelName> extends never ? true : false;
type RepliesFit = {
  [K in ServiceMethod]: ServiceReply<K> extends z.input<(typeof SERVICE_CHANNELS)[K]['reply']> ? true : K;
}[ServiceMethod];
const channelsCoverService: ChannelsCoverService = true;
const repliesFit: RepliesFit = true;
void channelsCoverService;
void repliesFit;
