// A KCV or fingerprint, monospaced and grouped for reading aloud.
import type { KeyCheckValue } from '../../shared/ceremony-api.ts';

export function CheckValue({ check, full }: { check: KeyCheckValue; full?: boolean }) {
  const shown = full || check.kind === 'kcv' ? check.value : `${check.value.slice(0, 16)}…`;
  return (
    <code className="check-value" title={check.value} aria-label={`${check.kind === 'kcv' ? 'KCV' : 'SHA-256'} ${check.value}`}>
      {shown}
    </code>
  );
}
