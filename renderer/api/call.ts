// Calls one channel of window.byok and unwraps the envelope: the value, or a CallError carrying the
// core's typed code and message (what happened and what to do).
import type { ChannelName, ChannelReply, ChannelRequest, IpcReply } from '../../shared/ipc.ts';
import type { ErrorCode } from '../../shared/errors.ts';

export class CallError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CallError';
    this.code = code;
  }
}

/** Channels after which what the vault holds may have changed: the frame refreshes its summary. */
const CHANGES_VAULT: ReadonlySet<ChannelName> = new Set<ChannelName>([
  'generateKeys', 'wrap', 'wrapAll', 'deleteMaterial', 'backupRestore', 'vaultRebuild', 'sharesCombine', 'importBundle', 'sync', 'renewKey',
  'remoteCreateKey', 'providerAdd', 'providerRemove',
]);
export const VAULT_CHANGED_EVENT = 'byok:vault-changed';
/** The vault screen has its key list: the header's summary (a slower call at 10,000 keys) may load. */
export const KEYS_LOADED_EVENT = 'byok:keys-loaded';

export async function call<K extends ChannelName>(name: K, request: ChannelRequest<K>): Promise<ChannelReply<K>> {
  const method = window.byok[name] as unknown as (request: ChannelRequest<K>) => Promise<IpcReply<ChannelReply<K>>>;
  let reply: IpcReply<ChannelReply<K>>;
  try {
    reply = await method(request);
  } catch {
    throw new CallError('INTERNAL', 'The app’s core did not answer. Restart the app; nothing was changed by this request.');
  }
  if (!reply.ok) throw new CallError(reply.error.code, reply.error.message);
  if (CHANGES_VAULT.has(name)) window.dispatchEvent(new Event(VAULT_CHANGED_EVENT));
  return reply.value;
}

export function asCallError(error: unknown): CallError {
  if (error instanceof CallError) return error;
  return new CallError('INTERNAL', 'Unexpected error in the window; nothing further was done.');
}
