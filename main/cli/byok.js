#!/usr/bin/env node
// The `byok` command. Node 24 runs the TypeScript sources directly (type stripping), so the CLI
// needs no build step; the packaged app bundles the same sources with esbuild.
await import('./main.ts');
