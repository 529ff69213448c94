// The ByokError a promise rejects with (failing the test when it resolves or rejects with anything else),
// for tests that check an error's code, message and details together.
import { expect } from 'vitest';
import { ByokError } from '../../shared/errors.ts';

export async function rejection(promise: Promise<unknown>): Promise<ByokError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ByokError);
  return error as ByokError;
}
