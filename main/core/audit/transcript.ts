// The printable ceremony transcript: who, when, every key with its check value, every output file with
// its SHA-256, every refusal, the chain head, and lines for the witnesses to sign. Built only from named,
// known fields of events (never by dumping event data), so nothing but metadata can reach the page.
import type { AuditEvent } from './audit-event.ts';

export type TranscriptFormat = 'md' | 'html';

interface TranscriptInput {
  format: TranscriptFormat;
  head: { seq: number; hash: string };
  generatedAt: string;
  logPath: string;
}

interface KeyLine {
  seq: number;
  time: string;
  keyId: string;
  alias: string;
  spec: string;
  checkKind: string;
  checkValue: string;
  operator: string;
}

interface FileLine {
  seq: number;
  time: string;
  event: string;
  path: string;
  sha256: string;
}

interface StepLine {
  seq: number;
  time: string;
  type: string;
  operator: string;
  witnesses: string;
  summary: string;
}

interface Transcript {
  from: string;
  to: string;
  operators: string[];
  witnesses: string[];
  keys: KeyLine[];
  files: FileLine[];
  steps: StepLine[];
  checkpoints: Array<{ seq: number; publicKey: string }>;
}

export function renderTranscript(events: readonly AuditEvent[], input: TranscriptInput): string {
  const transcript = collect(events);
  return input.format === 'html' ? renderHtml(transcript, input) : renderMarkdown(transcript, input);
}

function collect(events: readonly AuditEvent[]): Transcript {
  const operators = new Set<string>();
  const witnesses = new Set<string>();
  const keys: KeyLine[] = [];
  const files: FileLine[] = [];
  const steps: StepLine[] = [];
  const checkpoints: Transcript['checkpoints'] = [];
  for (const event of events) {
    if (event.operator) operators.add(event.operator);
    for (const witness of event.witnesses) witnesses.add(witness);
    if (event.type === 'key.generated') for (const key of keysOf(event.data)) keys.push({ seq: event.seq, time: event.time, operator: event.operator ?? '', ...key });
    for (const file of filesOf(event.data)) files.push({ seq: event.seq, time: event.time, event: event.type, ...file });
    if (event.type === 'checkpoint') checkpoints.push({ seq: event.seq, publicKey: text(event.data.publicKey) });
    steps.push({ seq: event.seq, time: event.time, type: event.type, operator: event.operator ?? '', witnesses: event.witnesses.join(', '), summary: summarize(event) });
  }
  return { from: events[0]?.time ?? '', to: events[events.length - 1]?.time ?? '', operators: [...operators], witnesses: [...witnesses], keys, files, steps, checkpoints };
}

/**
 * key.generated carries one key ({keyId, spec, check}) or a batch ({spec, keys: [{id, alias, check}]});
 * `check` is {kind, value} or just the value (6 hex: KCV, 64 hex: SPKI fingerprint).
 */
function keysOf(data: Record<string, unknown>): Array<Omit<KeyLine, 'seq' | 'time' | 'operator'>> {
  const entries = Array.isArray(data.keys) ? (data.keys as unknown[]) : [data];
  return entries
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => {
      const check = typeof entry.check === 'object' && entry.check !== null ? (entry.check as Record<string, unknown>) : { value: entry.check ?? entry.kcv ?? entry.fingerprint };
      const value = hexOnly(check.value);
      return {
        keyId: text(entry.keyId ?? entry.id),
        alias: text(entry.alias),
        spec: text(entry.spec ?? data.spec),
        checkKind: text(check.kind) || (value.length === 64 ? 'fingerprint' : value ? 'kcv' : ''),
        checkValue: value,
      };
    });
}

/** Output files appear as {files: [{path|name|file, sha256}]} or as {path|file|escrow|name, sha256} on the event itself. */
function filesOf(data: Record<string, unknown>): Array<{ path: string; sha256: string }> {
  const entries = Array.isArray(data.files) ? (data.files as unknown[]) : typeof data.sha256 === 'string' ? [data] : [];
  return entries
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => ({ path: text(entry.path ?? entry.file ?? entry.name ?? entry.escrow), sha256: hexOnly(entry.sha256) }))
    .filter((file) => file.path !== '' && file.sha256 !== '');
}

/** The few named fields a step line shows. */
function summarize(event: AuditEvent): string {
  const data = event.data;
  const parts: string[] = [];
  const named: Array<[string, unknown]> = [
    ['key', data.keyId],
    ['keys', Array.isArray(data.keys) ? data.keys.length : Array.isArray(data.keyIds) ? data.keyIds.length : data.keys],
    ['action', data.action],
    ['provider', data.provider],
    ['region', data.region],
    ['step', data.step],
    ['result', data.result ?? data.outcome],
    ['code', data.code],
    ['reason', data.reason],
    // An accepted loss (audit.gap): which of the earlier log's events are gone.
    ['lost: events up to', data.recordedSeq],
    ['earlier log ended at', data.logEndedAt],
  ];
  for (const [label, value] of named) if (value !== undefined && value !== null && value !== '') parts.push(`${label}: ${text(value)}`);
  return parts.join('; ');
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.slice(0, 200);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Check values and file hashes are hex; anything else in those columns is left out. */
function hexOnly(value: unknown): string {
  return typeof value === 'string' && /^[0-9A-Fa-f]{1,128}$/.test(value) ? value : '';
}

function renderMarkdown(t: Transcript, input: TranscriptInput): string {
  const md = (value: string) => value.replace(/([\\|*`<>[\]])/g, '\\$1').replace(/\r?\n/g, ' ');
  const table = (headers: string[], rows: string[][]) =>
    rows.length ? [`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map((row) => `| ${row.map(md).join(' | ')} |`)].join('\n') : '_None._';
  const lines = [
    '# BYOK ceremony transcript',
    '',
    `- Log: ${md(input.logPath)}`,
    `- Period: ${t.from || '—'} to ${t.to || '—'} (UTC)`,
    `- Operators: ${t.operators.map(md).join(', ') || '—'}`,
    `- Witnesses: ${t.witnesses.map(md).join(', ') || '—'}`,
    `- Transcript generated: ${input.generatedAt} (UTC)`,
    '',
    '## Keys',
    '',
    table(['Seq', 'Time (UTC)', 'Key id', 'Alias', 'Spec', 'Check', 'Value', 'Operator'], t.keys.map((k) => [String(k.seq), k.time, k.keyId, k.alias, k.spec, k.checkKind, k.checkValue, k.operator])),
    '',
    '## Output files',
    '',
    table(['Seq', 'Time (UTC)', 'Event', 'File', 'SHA-256'], t.files.map((f) => [String(f.seq), f.time, f.event, f.path, f.sha256])),
    '',
    '## Steps',
    '',
    table(['Seq', 'Time (UTC)', 'Event', 'Operator', 'Witnesses', 'Details'], t.steps.map((s) => [String(s.seq), s.time, s.type, s.operator, s.witnesses, s.summary])),
    '',
    '## Chain head',
    '',
    `Event ${input.head.seq}, SHA-256 \`${input.head.hash}\``,
    '',
    t.checkpoints.length ? `Signed checkpoints: ${t.checkpoints.map((c) => `event ${c.seq} (key ${c.publicKey.slice(0, 16)}…)`).join(', ')}` : 'No signed checkpoint.',
    '',
    '## Signatures',
    '',
    'By signing, each person confirms the keys, check values, files and chain head above.',
    '',
    ...signatories(t).flatMap((name) => [`${md(name)}`, '', 'Signature: ______________________________  Date: ______________', '']),
  ];
  return `${lines.join('\n')}\n`;
}

function renderHtml(t: Transcript, input: TranscriptInput): string {
  const h = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  const table = (headers: string[], rows: string[][], hashColumns: number[] = []) =>
    rows.length
      ? `<table><thead><tr>${headers.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((cell, i) => `<td${hashColumns.includes(i) ? ' class="hash"' : ''}>${h(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`
      : '<p><em>None.</em></p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>BYOK ceremony transcript</title>
<style>
  @page { size: auto; margin: 15mm; }
  body { font: 10pt/1.35 system-ui, sans-serif; color: #000; max-width: 180mm; margin: 0 auto; }
  h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.2em; break-after: avoid; }
  table { border-collapse: collapse; width: 100%; table-layout: auto; }
  th, td { border: 0.5pt solid #444; padding: 2pt 4pt; text-align: left; vertical-align: top; }
  tr { break-inside: avoid; }
  .hash, code { font-family: ui-monospace, monospace; font-size: 8.5pt; word-break: break-all; }
  .signature { break-inside: avoid; margin-top: 14mm; display: flex; gap: 8mm; }
  .signature span { flex: 1; border-top: 0.5pt solid #000; padding-top: 2pt; }
  @media print { body { max-width: none; } }
</style>
</head>
<body>
<h1>BYOK ceremony transcript</h1>
<ul>
<li>Log: <code>${h(input.logPath)}</code></li>
<li>Period: ${h(t.from || '—')} to ${h(t.to || '—')} (UTC)</li>
<li>Operators: ${h(t.operators.join(', ') || '—')}</li>
<li>Witnesses: ${h(t.witnesses.join(', ') || '—')}</li>
<li>Transcript generated: ${h(input.generatedAt)} (UTC)</li>
</ul>
<h2>Keys</h2>
${table(['Seq', 'Time (UTC)', 'Key id', 'Alias', 'Spec', 'Check', 'Value', 'Operator'], t.keys.map((k) => [String(k.seq), k.time, k.keyId, k.alias, k.spec, k.checkKind, k.checkValue, k.operator]), [6])}
<h2>Output files</h2>
${table(['Seq', 'Time (UTC)', 'Event', 'File', 'SHA-256'], t.files.map((f) => [String(f.seq), f.time, f.event, f.path, f.sha256]), [4])}
<h2>Steps</h2>
${table(['Seq', 'Time (UTC)', 'Event', 'Operator', 'Witnesses', 'Details'], t.steps.map((s) => [String(s.seq), s.time, s.type, s.operator, s.witnesses, s.summary]))}
<h2>Chain head</h2>
<p>Event ${input.head.seq}, SHA-256 <code class="hash">${h(input.head.hash)}</code></p>
<p>${t.checkpoints.length ? `Signed checkpoints: ${h(t.checkpoints.map((c) => `event ${c.seq} (key ${c.publicKey.slice(0, 16)}…)`).join(', '))}` : 'No signed checkpoint.'}</p>
<h2>Signatures</h2>
<p>By signing, each person confirms the keys, check values, files and chain head above.</p>
${signatories(t)
  .map((name) => `<div class="signature"><span>${h(name)}</span><span>Signature</span><span>Date</span></div>`)
  .join('\n')}
</body>
</html>
`;
}

/** Everyone named, plus two blank lines for witnesses not recorded in the log. */
function signatories(t: Transcript): string[] {
  return [...t.operators.map((name) => `${name} (operator)`), ...t.witnesses.map((name) => `${name} (witness)`), 'Name: ______________________ (witness)', 'Name: ______________________ (witness)'];
}
