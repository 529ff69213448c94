// The reply shape used across every boundary (IPC, CLI --json): a value or a typed error.
import type { ErrorCode } from './errors.ts';

export interface ErrorReply {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorReply };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}
