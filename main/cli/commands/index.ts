// Every command group of `byok`, registered in one place.
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { register as registerAudit } from './audit.ts';
import { register as registerBackup } from './backup.ts';
import { register as registerCeremony } from './ceremony.ts';
import { register as registerConnected } from './connected.ts';
import { register as registerKeys } from './keys.ts';
import { register as registerPlan } from './plan.ts';
import { register as registerWrapping } from './wrapping.ts';

export function registerAllCommands(program: Command, context: CliContext): void {
  for (const register of [registerKeys, registerWrapping, registerBackup, registerAudit, registerPlan, registerCeremony, registerConnected]) {
    register(program, context);
  }
}
