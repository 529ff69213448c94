// Fingerprints are read aloud during a ceremony: groups of 4 characters are easy to say and to follow.
import { ByokError } from '../../../shared/errors.ts';

export function formatFingerprintForReading(hex: string): string {
  if (!/^[0-9a-fA-F]+$/.test(hex)) {
    throw new ByokError('INVALID_ARGUMENT', 'A fingerprint to read aloud must be hexadecimal characters only.');
  }
  return hex.match(/.{1,4}/g)!.join(' ');
}
