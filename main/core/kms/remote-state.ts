// Shared helpers for turning a provider's key description into the one RemoteKeyState model.
import { isoUtc } from '../clock.ts';
import type { RemoteKeyStateName } from './adapter.ts';

export function stateFrom(table: Readonly<Record<string, RemoteKeyStateName>>, providerState: string): RemoteKeyStateName {
  return table[providerState] ?? 'Unknown';
}

/** Epoch seconds or milliseconds (told apart by size: seconds stay below 1e11 until the year 5138). */
export function epochToIso(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  return isoUtc(new Date(value >= 1e11 ? value : value * 1000));
}

export function isoToEpochSeconds(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error('not an ISO-8601 instant');
  return Math.floor(ms / 1000);
}
