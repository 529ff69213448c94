// `npm run bench -- [--json] [NAME...]`: runs the benchmarks in bench/ and prints one JSON document
// {"benchmarks":[{"name","ratio","goal","figures"}]} (ratio = ours ÷ baseline, both measured in this run).
// Benchmarks never run inside `npm test`: tests do not assert wall-clock times.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface BenchResult {
  name: string;
  ratio: number;
  goal: string;
  met?: boolean;
  figures: Record<string, number | string>;
}

/** Module file → the benchmark names it reports (one module may report several from one run). */
const MODULES: Record<string, string[]> = {
  'bulk-ceremony.ts': ['bulk-ceremony-vs-minimum', 'bulk-ceremony-vs-manual'],
  'save-scaling.ts': ['save-scaling'],
  'sync-import.ts': ['sync-import'],
  'event-loop-lag.ts': ['event-loop-lag'],
  'vault-open.ts': ['vault-open'],
};

function goalMet(result: BenchResult): boolean {
  const match = /^\s*<=?\s*([\d.]+)/.exec(result.goal) ?? /ratio\s*<=?\s*([\d.]+)/.exec(result.goal);
  return match ? result.ratio <= Number(match[1]) : false;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((arg) => !arg.startsWith('--'));
const unknown = wanted.filter((name) => !Object.values(MODULES).flat().includes(name) && !MODULES[`${name}.ts`]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.values(MODULES).flat().join(', ')}`);
  process.exit(2);
}

const results: BenchResult[] = [];
for (const [file, names] of Object.entries(MODULES)) {
  if (wanted.length && !names.some((name) => wanted.includes(name)) && !wanted.includes(file.replace(/\.ts$/, ''))) continue;
  if (!json) console.error(`running ${file} ...`);
  const module = (await import(pathToFileURL(join(import.meta.dirname, file)).href)) as { run(): Promise<BenchResult | BenchResult[]> };
  const produced = await module.run();
  for (const result of Array.isArray(produced) ? produced : [produced]) {
    if (wanted.length && !wanted.includes(result.name) && !wanted.includes(file.replace(/\.ts$/, ''))) continue;
    results.push({ ...result, ratio: Number(result.ratio.toFixed(4)), met: goalMet(result) });
    if (!json) console.error(`  ${result.name}: ratio ${result.ratio.toFixed(3)} (goal ${result.goal}) ${goalMet(result) ? 'met' : 'NOT met'}`);
  }
}
process.stdout.write(`${JSON.stringify({ benchmarks: results }, null, json ? 0 : 2)}\n`);
