export { startSimulator, type SimulatorOptions, type RunningSimulator, type SimCredentials } from './server.ts';
export { isLoopbackHost } from './loopback.ts';
export { FAULT_KINDS, type FaultKind } from './faults.ts';
