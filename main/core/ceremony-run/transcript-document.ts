// The transcript as a document model built from the ceremony state: the same sections, tables and
// signature lines whether rendered as Markdown or HTML, and the same for a rehearsal and a real run
// (only keys, ids, times, hashes and the mode banner differ), so reviewers can diff the two.
import { PROVIDERS } from '../../../shared/providers.ts';
import { groupHex } from '../plan/plan-summary.ts';
import type { CeremonyState, KeyRecord } from './ceremony-state.ts';
import { displayCheckValue } from './witness-check.ts';

export type TranscriptBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'fields'; rows: Array<[string, string]> }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'signatures'; people: Array<{ role: string; name: string }> };

export interface TranscriptSection {
  heading: string;
  blocks: TranscriptBlock[];
}

export interface TranscriptDocument {
  title: string;
  banner: string;
  sections: TranscriptSection[];
  /** What the QR code carries: ceremony id, plan hash and audit chain head. */
  qrText: string;
}

const utc = (time: string | null): string => (time ? `${time} UTC` : '—');

function confirmationText(key: KeyRecord): string {
  const confirmation = key.confirmation;
  if (!confirmation) return 'not yet confirmed';
  if (confirmation.status === 'unattended') return 'unattended run: no read-back';
  if (confirmation.status === 'confirmed') return `typed back by ${confirmation.witness} at ${utc(confirmation.at)}: matches`;
  return `typed back by ${confirmation.witness} at ${utc(confirmation.at)}: "${confirmation.typed}" DOES NOT MATCH — key refused`;
}

export function buildTranscript(state: CeremonyState): TranscriptDocument {
  const sections: TranscriptSection[] = [];
  const banner = state.rehearsal
    ? 'REHEARSAL — not a real ceremony. Throwaway vault and keychain; generated wrapping keys stood in for the KMS. No key from this run exists any more.'
    : 'Ceremony record.';

  sections.push({
    heading: 'Ceremony',
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Ceremony', state.ceremony],
          ['Mode', state.rehearsal ? 'REHEARSAL' : 'real ceremony'],
          ['Ceremony id', state.ceremonyId],
          ['Operator', state.operator],
          ['Witnesses', state.witnesses.length ? state.witnesses.join(', ') : '(none)'],
          ['Confirmations', state.unattended ? 'NONE — unattended run (the plan says confirmations: none)' : 'each check value typed back by a witness'],
          ['Vault', state.vaultId ?? '—'],
          ['Started', utc(state.startedAt)],
          ['Finished', state.finishedAt ? utc(state.finishedAt) : 'NOT FINISHED — this transcript is incomplete'],
        ],
      },
    ],
  });

  sections.push({
    heading: 'Plan',
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Plan file', state.planPath],
          ['SHA-256', groupHex(state.planSha256)],
          ['In words', state.planWords],
        ],
      },
    ],
  });

  sections.push({
    heading: 'Offline check',
    blocks: [
      {
        kind: 'table',
        header: ['Session', 'Checked at', 'Result', 'Interfaces up', 'Default route', 'Plan check'],
        rows: state.sessions.map((session) => [
          session.kind,
          utc(session.at),
          session.offline.offline ? 'offline' : session.allowedOnline ? 'ONLINE — allowed by --allow-online' : 'ONLINE',
          session.offline.interfaces.map((item) => `${item.name} (${item.addresses.join(' ')})`).join('; ') || 'none',
          session.offline.defaultRoute ? 'yes' : 'no',
          session.planCheck.ok ? 'passed' : 'failed',
        ]),
      },
    ],
  });

  sections.push({
    heading: 'Entropy',
    blocks: [
      {
        kind: 'table',
        header: ['Keys', 'Spec', 'Count', 'Sources', 'Health tests (SP 800-90B)'],
        rows: state.entropy.map((item) => [item.alias, item.spec, String(item.keys), item.sources.map((source) => `${source.kind}: ${source.label} (${source.bytes} bytes)`).join('; '), item.healthPassed ? 'passed' : 'FAILED']),
      },
    ],
  });

  sections.push({
    heading: 'Keys',
    blocks: [
      {
        kind: 'table',
        header: ['Key', 'Spec', 'Key id', 'Check value', 'Witness read-back'],
        rows: state.keys.map((key) => [key.label, key.spec, key.keyId, `${key.check.kind === 'kcv' ? 'KCV' : 'SHA-256 fingerprint'} ${displayCheckValue(key.check)}`, confirmationText(key)]),
      },
      ...(state.orphanedKeys.length
        ? [{ kind: 'paragraph' as const, text: `Keys saved by an interrupted generation and not used in this ceremony (still in the vault): ${state.orphanedKeys.map((key) => `${key.alias} ${key.keyId} (${key.check})`).join('; ')}.` }]
        : []),
    ],
  });

  const backupBlocks: TranscriptBlock[] = [
    {
      kind: 'table',
      header: ['Key', 'OS keychain backup'],
      rows: state.keys.map((key) => [key.label, key.backup?.verified ? `read back at ${utc(key.backup.at)}: check value matches` : key.confirmation?.status === 'refused' ? 'kept (key refused, not verified in this ceremony)' : 'not verified']),
    },
  ];
  const withShares = state.keys.filter((key) => key.shares);
  if (state.sharesOut) {
    backupBlocks.push({ kind: 'paragraph', text: `Shares folder: ${state.sharesOut}. Each share file carries its own check value and the key's; every threshold-sized subset was combined and rebuilt the key's check value.` });
    backupBlocks.push({
      kind: 'table',
      header: ['Key', 'Share', 'Custodian', 'Share check', 'File', 'File SHA-256'],
      rows: withShares.flatMap((key) => key.shares!.files.map((file) => [key.label, `${file.index} (${key.shares!.threshold} of ${key.shares!.shares})`, file.custodian ?? '—', file.shareCheck, file.name, file.sha256])),
    });
  }
  if (state.escrowPath) {
    backupBlocks.push({
      kind: 'fields',
      rows: [
        ['Escrow file', state.escrowPath],
        ['Keys in it', state.escrow ? String(state.escrow.keys) : 'not written'],
        ['SHA-256', state.escrow ? state.escrow.sha256 : '—'],
      ],
    });
  }
  sections.push({ heading: 'Backups', blocks: backupBlocks });

  sections.push({
    heading: 'Output files',
    blocks: [
      { kind: 'paragraph', text: `Output folder: ${state.output}` },
      {
        kind: 'table',
        header: ['Key', 'Provider', 'Remote key', 'Algorithm', 'Material expiry', 'File', 'SHA-256'],
        rows: state.keys.flatMap((key) =>
          key.wrap
            ? key.wrap.files.map((file) => [key.label, PROVIDERS[key.wrap!.provider].displayName, key.remoteKeyId ?? '—', key.wrap!.algorithm, key.wrap!.materialExpiry, file.name, file.sha256])
            : [[key.label, key.provider ? PROVIDERS[key.provider].displayName : '—', key.remoteKeyId ?? '—', '—', '—', key.confirmation?.status === 'refused' ? 'none: key refused' : 'not wrapped', '—']],
        ),
      },
    ],
  });

  sections.push({
    heading: 'Audit chain',
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Chain head', state.audit?.head ?? '—'],
          ['Events', state.audit ? String(state.audit.events) : '—'],
          ['Verified', state.audit ? (state.audit.valid ? 'yes' : 'NO — the chain is broken') : '—'],
        ],
      },
      { kind: 'paragraph', text: 'The chain head can be recomputed from the audit log without this app (see the README, "Verifying a transcript").' },
    ],
  });

  sections.push({
    heading: 'Signatures',
    blocks: [
      { kind: 'paragraph', text: 'We were present, saw the check values above on the screen and agree that this record is true.' },
      { kind: 'signatures', people: [{ role: 'Operator', name: state.operator }, ...state.witnesses.map((name) => ({ role: 'Witness', name }))] },
    ],
  });

  return {
    title: `${state.rehearsal ? 'REHEARSAL transcript' : 'Ceremony transcript'}: ${state.ceremony}`,
    banner,
    sections,
    qrText: `byok-transcript:1;ceremony=${state.ceremonyId};plan-sha256=${state.planSha256};audit-head=${state.audit?.head ?? 'none'}`,
  };
}
