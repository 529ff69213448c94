// Every command group of `byok`, registered in one place.
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

type Registrar = (program: Command, context: CliContext) => void;

const GROUPS: Array<() => Promise<{ register: Registrar }>> = [];

export function registerAllCommands(program: Command, context: CliContext): void {
  void GROUPS;
  void program;
  void context;
}
