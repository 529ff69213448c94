// The process boundary in the source: the renderer imports only itself, shared/ and its UI libraries
// (never main/, never Node built-ins), shared/ imports no Node or DOM runtime, and only main/electron
// imports 'electron'.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map(
    (match) => match[1] ?? match[2] ?? match[3]!,
  );
}

const RENDERER_PACKAGES = ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'i18next', 'react-i18next', 'recharts', '@tanstack/react-virtual'];

describe('import boundaries', () => {
  it('keeps the renderer on its side: itself, shared/ and UI libraries only', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(join(root, 'renderer'))) {
      for (const target of imports(file)) {
        if (target.startsWith('.')) {
          const where = relative(root, resolve(dirname(file), target));
          if (!where.startsWith('renderer/') && !where.startsWith('shared/')) offending.push(`${relative(root, file)} -> ${target}`);
        } else if (!RENDERER_PACKAGES.includes(target)) {
          offending.push(`${relative(root, file)} -> ${target}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('keeps shared/ free of Node and Electron imports', () => {
    const offending = sourceFiles(join(root, 'shared')).flatMap((file) =>
      imports(file)
        .filter((target) => target.startsWith('node:') || target === 'electron' || target.startsWith('../main') || target.startsWith('../renderer'))
        .map((target) => `${relative(root, file)} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('imports electron only from main/electron', () => {
    const offending = ['main', 'renderer', 'shared'].flatMap((dir) =>
      sourceFiles(join(root, dir))
        .filter((file) => !relative(root, file).startsWith('main/electron/'))
        .filter((file) => imports(file).includes('electron'))
        .map((file) => relative(root, file)),
    );
    expect(offending).toEqual([]);
  });
});
