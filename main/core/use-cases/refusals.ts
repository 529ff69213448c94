// Every refusal goes into the audit log, once: the use case that refuses may record it with its own
// details (a key id, say); the service records whatever else reaches it. An error carries a mark once
// recorded so that it is never written twice.
import type { OperatorContext } from '../../../shared/ceremony-api.ts';
import { isByokError } from '../../../shared/errors.ts';
import type { CoreContext } from './context.ts';
import { operatorFields } from './validation.ts';

const RECORDED = Symbol('byok.refusalRecorded');

export async function recordRefusal(context: CoreContext, operation: string, error: unknown, who: OperatorContext = {}, detail: Record<string, string> = {}): Promise<void> {
  if (!isByokError(error) || (error as unknown as Record<symbol, boolean>)[RECORDED]) return;
  (error as unknown as Record<symbol, boolean>)[RECORDED] = true;
  try {
    await context.audit.append({ type: 'refusal', ...operatorFields(who), data: { operation, ...detail, code: error.code, message: error.message } });
  } catch {
    // The refusal itself is what the caller sees; a log that cannot be written must not hide it.
  }
}
