// Lets the event loop run between slices of CPU work: I/O that was started (a vault save's write and
// fsync, a keychain call) moves on, and Electron's main process stays responsive.
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
