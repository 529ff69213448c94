// Runnable entry: node main/kms-sim/main.ts --port P --state DIR --credentials FILE [--clock-speed X] [--host H]
// Prints exactly one line `listening on http://127.0.0.1:P` when ready; stops on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator, type SimCredentials } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    state: { type: 'string' },
    credentials: { type: 'string' },
    'clock-speed': { type: 'string', default: '1' },
    host: { type: 'string', default: '127.0.0.1' },
  },
  strict: true,
});

async function main(): Promise<void> {
  if (values.state === undefined || values.credentials === undefined) {
    throw new Error('usage: kms-sim --port P --state DIR --credentials FILE [--clock-speed X]');
  }
  const credentials = JSON.parse(readFileSync(values.credentials, 'utf8')) as SimCredentials;
  const simulator = await startSimulator({
    port: Number(values.port),
    stateDir: values.state,
    credentials,
    clockSpeed: Number(values['clock-speed']),
    host: values.host,
  });
  process.stdout.write(`listening on ${simulator.url}\n`);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`kms-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
