// The key table, virtualised: only the visible rows are in the DOM, so 10,000 keys open as fast as 100.
// ARIA table semantics with aria-rowcount/aria-rowindex so screen readers know the real size.
import { useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslation } from 'react-i18next';
import type { KeySummary } from '../../shared/ceremony-api.ts';
import { CheckValue } from '../components/check-value.tsx';
import { formatCountdown, formatUtc, secondsUntil } from '../format.ts';

const ROW_HEIGHT = 40;

function earliestExpiry(key: KeySummary): string | null {
  const expiries = key.remote.map((binding) => binding.materialExpiry).filter((value): value is string => Boolean(value));
  return expiries.sort()[0] ?? null;
}

export function KeyTable({
  keys,
  selectedId,
  onSelect,
  now,
}: {
  keys: KeySummary[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  now: Date;
}) {
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: keys.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>, index: number) => {
    const move = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(keys[index]!.id);
    } else if (move !== 0) {
      event.preventDefault();
      const next = Math.max(0, Math.min(keys.length - 1, index + move));
      virtualizer.scrollToIndex(next);
      requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus());
    }
  };

  const columns = ['alias', 'spec', 'check', 'backup', 'remote', 'state', 'expiry'] as const;
  return (
    <div role="table" aria-label={t('vault.tableLabel')} aria-rowcount={keys.length + 1} className="key-table">
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} className="key-row key-head">
          {columns.map((column) => (
            <div role="columnheader" key={column}>
              {t(`vault.column.${column}`)}
            </div>
          ))}
        </div>
      </div>
      <div ref={scrollRef} className="key-scroll" data-testid="key-scroll">
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const key = keys[item.index]!;
            const expiry = earliestExpiry(key);
            const countdown = expiry ? formatCountdown(secondsUntil(expiry, now)) : undefined;
            const binding = key.remote[0];
            return (
              <div
                role="row"
                key={key.id}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                aria-selected={key.id === selectedId}
                tabIndex={0}
                className={`key-row${key.id === selectedId ? ' selected' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={() => onSelect(key.id)}
                onKeyDown={(event) => onKeyDown(event, item.index)}
              >
                <div role="cell" className="alias">{key.alias}</div>
                <div role="cell">{key.spec}</div>
                <div role="cell"><CheckValue check={key.check} /></div>
                <div role="cell" className={`backup-${key.backup}`}>{t(`backup.${key.backup}`)}</div>
                <div role="cell">
                  {binding ? `${binding.provider} · ${binding.remoteKeyId}` : t('vault.notBound')}
                  {key.remote.length > 1 ? ` +${key.remote.length - 1}` : ''}
                </div>
                <div role="cell">{binding ? t(`remoteState.${binding.state}`) : '—'}</div>
                <div role="cell" title={formatUtc(expiry)} className={countdown?.past ? 'expired' : undefined}>
                  {countdown ? (countdown.past ? t('vault.expiredAgo', { ago: countdown.text }) : countdown.text) : t('vault.noExpiry')}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
