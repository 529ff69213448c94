// Public face of the backup module: OS keychain backups, custodian shares, escrow files, the ceremony key.
export type { BackupCheck, BackupEntry, BackupEntryMetadata, ComputeCheck } from './backup-entry.ts';
export { BackupStore, type BackupStoreOptions, type DamagedBatch, type ExpectedBackup, type ListedEntry, type WrittenBatch } from './backup-store.ts';
export { CEREMONY_KEY_ACCOUNT, loadCeremonyKey, loadOrCreateCeremonyKey, type CeremonySigningKey } from './ceremony-key.ts';
export { ESCROW_FORMAT, ESCROW_SCRYPT_DEFAULT, readEscrowFile, writeEscrowFile, type EscrowOptions, type ScryptParams } from './escrow.ts';
export { FALLBACK_ITEM_LIMIT, KEYCHAIN_ITEM_LIMITS, itemLimitFor } from './item-limits.ts';
export { keychainError, type Keychain } from './keychain.ts';
export { injectFaults, memoryKeychain, type FaultPlan, type FaultyKeychain, type KeychainOperation, type MemoryKeychain } from './memory-keychain.ts';
export { osKeychain } from './os-keychain.ts';
export { MAX_SHARES, SHARE_FORMAT, combineShares, shareCheckOf, splitIntoShares, writeShareFiles, type ShareFile, type SplitInput } from './shares.ts';
