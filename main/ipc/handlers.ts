// The validated path from a channel to the core: sender check -> request schema -> service -> reply
// schema -> envelope. `handle` never throws; every failure becomes `{ ok: false, error: { code, message } }`
// with the core's own typed message, or INTERNAL for anything unexpected.
import type { z } from 'zod';
import type { CeremonyService } from '../../shared/ceremony-api.ts';
import { ByokError, toErrorReply } from '../../shared/errors.ts';
import {
  IPC_CHANNELS,
  SERVICE_CHANNELS,
  isChannelName,
  progressEventSchema,
  type ChannelName,
  type IpcProgressEvent,
  type IpcReply,
  type LongChannelName,
  type ServiceChannelName,
} from '../../shared/ipc.ts';
import { SERVICE_CALLS, type ServiceCall } from './service-calls.ts';
import { isTrustedSender as defaultTrustedSender } from './trusted-sender.ts';

export interface HandleContext {
  /** The URL of the frame that sent the request (Electron: event.senderFrame.url). */
  frameUrl: string | null | undefined;
  /** Where progress events of long calls go (Electron: webContents.send; bridge: SSE). */
  onProgress?: (event: IpcProgressEvent) => void;
}

export interface IpcHandlers {
  handle(channel: string, request: unknown, context: HandleContext): Promise<IpcReply<unknown>>;
}

export interface IpcHandlerOptions {
  /** Decides whether a frame may call; defaults to the app protocol only. The bridge passes its own. */
  isTrustedSender?: (frameUrl: string | null | undefined) => boolean;
}

function failure(code: ByokError['code'], message: string): IpcReply<never> {
  return { ok: false, error: { code, message } };
}

/** Names what was wrong without echoing a value (a misplaced secret must not come back in an error). */
function describeIssues(channel: string, issues: z.core.$ZodIssue[]): string {
  const listed = issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(request)'}: ${issue.code}`)
    .join('; ');
  return `The ${channel} request is malformed (${listed}); nothing was done. Correct the fields and retry.`;
}

export function createIpcHandlers(service: CeremonyService, options: IpcHandlerOptions = {}): IpcHandlers {
  const trusted = options.isTrustedSender ?? ((url) => defaultTrustedSender(url));
  const running = new Map<LongChannelName, Set<AbortController>>();

  function cancel(operation: LongChannelName): number {
    const controllers = running.get(operation);
    if (!controllers) return 0;
    for (const controller of controllers) controller.abort();
    return controllers.size;
  }

  async function callService(name: ServiceChannelName, request: unknown, context: HandleContext): Promise<unknown> {
    const spec = SERVICE_CHANNELS[name];
    if (!spec.long) return (SERVICE_CALLS[name] as ServiceCall<typeof name>)(service, request as never, {});
    const longName = name as LongChannelName;
    const controller = new AbortController();
    const set = running.get(longName) ?? new Set<AbortController>();
    set.add(controller);
    running.set(longName, set);
    const onProgress = (event: { operation: string; done: number; total: number; message: string }) => {
      if (!context.onProgress) return;
      const parsed = progressEventSchema.safeParse({ channel: longName, ...event });
      if (!parsed.success) return; // a malformed progress event is dropped, never forwarded
      try {
        context.onProgress(parsed.data);
      } catch {
        // a closed window or stream must not break the running operation
      }
    };
    try {
      return await (SERVICE_CALLS[name] as ServiceCall<typeof name>)(service, request as never, {
        onProgress,
        signal: controller.signal,
      });
    } finally {
      set.delete(controller);
    }
  }

  async function handle(channel: string, request: unknown, context: HandleContext): Promise<IpcReply<unknown>> {
    try {
      if (!trusted(context.frameUrl)) {
        return failure('IPC_SENDER_REJECTED', 'This window is not the app’s own page; the request was refused.');
      }
      if (typeof channel !== 'string' || !isChannelName(channel)) {
        return failure('INVALID_INPUT', 'Unknown IPC channel; nothing was done.');
      }
      const name: ChannelName = channel;
      const spec = IPC_CHANNELS[name];
      const parsedRequest = spec.request.safeParse(request ?? {});
      if (!parsedRequest.success) return failure('INVALID_INPUT', describeIssues(name, parsedRequest.error.issues));

      const value =
        name === 'cancel'
          ? { cancelled: cancel((parsedRequest.data as { operation: LongChannelName }).operation) }
          : await callService(name, parsedRequest.data, context);

      const parsedReply = spec.reply.safeParse(value);
      if (!parsedReply.success) {
        return failure(
          'INTERNAL',
          `The core’s ${name} reply did not match the IPC contract and was withheld. Report this as a bug.`,
        );
      }
      return { ok: true, value: parsedReply.data };
    } catch (error) {
      return { ok: false, error: toErrorReply(error) };
    }
  }

  return Object.freeze({ handle });
}
