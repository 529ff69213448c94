// What every command gets: global options, the service (opened lazily, once), and one way to print.
import type { Command } from 'commander';
import type { CeremonyService, ProgressEvent } from '../../shared/ceremony-api.ts';

export interface GlobalOptions {
  vault: string;
  json: boolean;
  operator?: string;
  witness: string[];
}

export interface CliContext {
  options(): GlobalOptions;
  /**
   * Opens the vault (creating it when `create`; in rebuild mode a damaged database is moved aside) and
   * composes the core service, once per process.
   */
  service(mode?: boolean | ServiceMode): Promise<CeremonyService>;
  /** Prints a command's result: the JSON document with --json, else the human form. */
  print(value: unknown, human: (value: never) => string): void;
  /** Progress for long work: a line on stderr unless --json (stdout stays one JSON document). */
  progress(event: ProgressEvent): void;
  /** The operator and witnesses from the global flags, for audit events. */
  operatorContext(): { operator?: string; witnesses?: string[] };
}

export interface ServiceMode {
  create?: boolean;
  rebuild?: { vaultId?: string };
  /** `audit accept-loss`: the recorded event the operator confirms is gone from the log. */
  acceptAuditLoss?: { event: number; operator?: string; witnesses?: string[] };
}

export type RegisterCommands = (program: Command, context: CliContext) => void;
