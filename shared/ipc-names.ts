// The IPC channel names alone, without their schemas: what the sandboxed preload and the browser shim
// need to route a method to its channel, kept free of zod so the preload stays small. shared/ipc.ts
// builds the full table from these names (a test checks that both list the same methods).

export const IPC_CHANNEL_IDS = Object.freeze({
  vaultInfo: 'byok:vault-info',
  reconcile: 'byok:reconcile',
  generateKeys: 'byok:generate-keys',
  listKeys: 'byok:list-keys',
  keyHistory: 'byok:key-history',
  inspectParams: 'byok:inspect-params',
  wrap: 'byok:wrap',
  wrapAll: 'byok:wrap-all',
  verifyBundle: 'byok:verify-bundle',
  backupVerify: 'byok:backup-verify',
  backupRestore: 'byok:backup-restore',
  vaultRebuild: 'byok:vault-rebuild',
  sharesSplit: 'byok:shares-split',
  sharesCombine: 'byok:shares-combine',
  escrowWrite: 'byok:escrow-write',
  auditVerify: 'byok:audit-verify',
  auditList: 'byok:audit-list',
  auditExport: 'byok:audit-export',
  providerAdd: 'byok:provider-add',
  providerList: 'byok:provider-list',
  providerRemove: 'byok:provider-remove',
  sync: 'byok:sync',
  syncJobs: 'byok:sync-jobs',
  remoteCreateKey: 'byok:remote-create-key',
  remoteParams: 'byok:remote-params',
  importBundle: 'byok:import-bundle',
  renewKey: 'byok:renew-key',
  deleteMaterial: 'byok:delete-material',
  offlineCheck: 'byok:offline-check',
  planCheck: 'byok:plan-check',
  recordCeremonyStep: 'byok:record-ceremony-step',
  cancel: 'byok:cancel',
} as const);

export type IpcMethodName = keyof typeof IPC_CHANNEL_IDS;

export const SHELL_CHANNEL_IDS = Object.freeze({
  choosePaths: 'byok:choose-paths',
  saveTranscriptPdf: 'byok:save-transcript-pdf',
} as const);

/** The Electron event channel progress events travel on (main -> renderer only). */
export const PROGRESS_CHANNEL = 'byok:progress';
