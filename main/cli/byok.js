#!/usr/bin/env node
// The `byok` command. Node 24 runs the TypeScript sources directly (type stripping), so the CLI
// needs no build step; the packaged app bundles the same sources with esbuild.
//
// Plain JavaScript, checked before any .ts import: an older Node would otherwise die on the import
// with a raw ERR_UNKNOWN_FILE_EXTENSION stack trace. Exit 70 (INTERNAL), not 2 (usage): the command
// line is fine, byok cannot run at all on this runtime, and no other arguments would help.
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= 24)) {
  const message = `byok needs Node.js 24 or newer; this is Node.js ${process.versions.node}. Install Node.js 24 and run byok with it.`;
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: 'INTERNAL', message } }, null, 2)}\n`);
  process.stderr.write(`${message}\n`);
  process.exit(70);
}
await import('./main.ts');
