// Largest secret one keychain item may hold, per platform. One table; BackupStore takes an override so
// tests can force the Windows limit on Linux.
//
// - win32: CRED_MAX_CREDENTIAL_BLOB_SIZE is 5 * 512 = 2,560 bytes (wincred.h). Hard limit.
// - linux: the Secret Service protocol carries secrets as D-Bus byte arrays (a message may be up to
//   128 MiB); gnome-keyring has no smaller item limit. 1 MiB writes and reads back here in ~40/140 ms.
//   The real cost on gnome-keyring is per write (it rewrites the whole keyring file), so fewer, larger
//   items are cheaper: a batch of 1,000 AES-256 keys (~150 KB) fits in one item.
// - darwin: the Keychain stores kSecValueData as a blob with no documented size limit; 1 MiB keeps
//   items well inside what keychain tooling handles (not measured on macOS from this build machine).
export const KEYCHAIN_ITEM_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  win32: 2_560,
  linux: 1_048_576,
  darwin: 1_048_576,
});

/** The Windows bound is the safe choice for a platform we have not measured. */
export const FALLBACK_ITEM_LIMIT = 2_560;

export function itemLimitFor(platform: string = process.platform): number {
  return KEYCHAIN_ITEM_LIMITS[platform] ?? FALLBACK_ITEM_LIMIT;
}
