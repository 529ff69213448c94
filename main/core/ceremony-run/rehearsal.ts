// A rehearsal: the same plan, run against a throwaway vault and a throwaway keychain namespace, with
// wrapping keys generated on the spot standing in for the KMS's (same provider, remote key id,
// algorithm and wrapping key size; a fresh deadline). Outputs go to a throwaway folder. The state
// (and so the transcript) is kept; everything else is deleted afterwards, keychain items included (and
// what a killed rehearsal left behind is deleted by the next one, abandoned-rehearsals.ts).
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CeremonyService } from '../../../shared/ceremony-api.ts';
import { PROVIDERS } from '../../../shared/providers.ts';
import { isoUtc, systemClock } from '../clock.ts';
import { checkParamsFile, readParamsFile, type PlanCheckReport } from '../plan/index.ts';
import { createRehearsalWorkspace, deleteKeychainNamespace, emptyWorkspaceKeepingMarker, sweepAbandonedRehearsals } from './abandoned-rehearsals.ts';
import { statePath, stateFolder } from './ceremony-state.ts';
import { runCeremony, type CeremonyOutcome, type RunCeremonyOptions } from './run-ceremony.ts';
import { createStandInParams } from './stand-in-params.ts';
import { writeTranscript, type TranscriptFormat } from './write-transcript.ts';

export interface RehearsalOptions extends Omit<RunCeremonyOptions, 'service' | 'vaultDir' | 'resume' | 'rehearsal'> {
  openService(options: { vaultDir: string; create: boolean; keychainService: string }): Promise<CeremonyService>;
  /** The real vault: the rehearsal's state is copied into its ceremonies folder when it exists. */
  realVaultDir?: string;
  transcript?: { out: string; format: TranscriptFormat };
}

export interface RehearsalOutcome extends CeremonyOutcome {
  /** The throwaway keychain namespace, already emptied. */
  keychainService: string;
  keptStatePath: string | null;
  transcriptPath: string | null;
  /** Workspaces and keychain namespaces of earlier, killed rehearsals cleared before this one. */
  abandonedCleared: number;
}

const DEFAULT_VALIDITY_HOURS = 24;

export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalOutcome> {
  const clock = options.clock ?? systemClock;
  const abandonedCleared = await sweepAbandonedRehearsals({ root: tmpdir() });
  // The workspace and the keychain namespace share their name (abandoned-rehearsals.ts).
  const keychainService = `byok-rehearsal-${randomUUID()}`;
  const workspace = await createRehearsalWorkspace(tmpdir(), keychainService, { pid: process.pid, startedAt: isoUtc(clock.now()) });
  const vaultDir = join(workspace, 'vault');
  let service: CeremonyService | undefined;
  try {
    service = await options.openService({ vaultDir, create: true, keychainService });
    const prepare = async (report: PlanCheckReport): Promise<void> => {
      await mkdir(join(workspace, 'params'));
      report.output = join(workspace, 'output');
      report.sharesOut = report.sharesOut ? join(workspace, 'shares') : null;
      report.escrowPath = report.escrowPath ? join(workspace, 'escrow', basename(report.escrowPath)) : null;
      for (const slot of report.slots) {
        const real = await readParamsFile(slot.paramsPath);
        const validityHours = PROVIDERS[real.provider].parametersValidityHours ?? DEFAULT_VALIDITY_HOURS;
        const text = await createStandInParams({
          provider: real.provider,
          remoteKeyId: real.remoteKeyId ?? real.gcpImportJob ?? real.azureKid ?? null,
          wrappingKeyBits: real.wrappingKeyBits,
          algorithm: real.algorithm,
          validTo: new Date(clock.now().getTime() + validityHours * 3_600_000),
          ...(real.gcpImportMethod ? { gcpImportMethod: real.gcpImportMethod } : {}),
          ...(real.azureKid ? { azureKid: real.azureKid } : {}),
        });
        slot.paramsPath = join(workspace, 'params', `${slot.label}.json`);
        await writeFile(slot.paramsPath, text);
        slot.params = await checkParamsFile({
          path: slot.paramsPath,
          spec: slot.spec,
          at: clock.now(),
          ...(slot.algorithm ? { algorithm: slot.algorithm } : {}),
          ...(slot.materialExpiry ? { materialExpiry: slot.materialExpiry } : {}),
        });
        slot.outDir = join(report.output, slot.label);
        slot.sharesDir = report.sharesOut ? join(report.sharesOut, slot.label) : null;
      }
    };
    const outcome = await runCeremony({ ...options, service, vaultDir, rehearsal: { prepare } });
    const transcript = options.transcript ? await writeTranscript(outcome.state, options.transcript.out, options.transcript.format) : null;
    let keptStatePath: string | null = null;
    if (options.realVaultDir && (await isFolder(options.realVaultDir))) {
      await mkdir(stateFolder(options.realVaultDir), { recursive: true });
      keptStatePath = statePath(options.realVaultDir, outcome.state.ceremonyId);
      await copyFile(outcome.statePath, keptStatePath);
    }
    return { ...outcome, keychainService, keptStatePath, transcriptPath: transcript?.path ?? null, abandonedCleared };
  } finally {
    await service?.close().catch(() => undefined);
    // A namespace that cannot be emptied now keeps its workspace (and marker): the next rehearsal retries.
    if (await deleteKeychainNamespace(keychainService)) await rm(workspace, { recursive: true, force: true });
    else await emptyWorkspaceKeepingMarker(workspace);
  }
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}
