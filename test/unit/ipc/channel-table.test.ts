// Walks the whole IPC channel table: no reply can carry material or credentials, every reply string and
// list is bounded, and malformed requests are refused with a typed error before the core is called.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ERROR_CODES } from '../../../shared/errors.ts';
import { CHANNEL_NAMES, IPC_CHANNELS, SERVICE_CHANNELS, SHELL_CHANNELS, type ServiceChannelName, type ShellChannelName } from '../../../shared/ipc.ts';
import { createIpcHandlers } from '../../../main/ipc/index.ts';
import { IPC_CHANNEL_IDS, SHELL_CHANNEL_IDS } from '../../../shared/ipc-names.ts';
import { createFakeService } from '../../support-ui/fake-service.ts';

// Words that name plaintext or credentials. A reply field whose name contains one of them is refused
// unless it is listed below with the reason it is metadata, and then its type must prove it.
const FORBIDDEN_WORDS = [
  'material', 'secret', 'private', 'password', 'passphrase', 'token', 'credential', 'credentials',
  'seed', 'share', 'shares', 'plaintext', 'mnemonic', 'pkcs8', 'pem', 'der', 'raw', 'sk', 'wrapped',
];
const METADATA_NAMES: Record<string, (schema: z.ZodType) => boolean> = {
  // an ISO timestamp: a date-time pattern, not free text
  materialExpiry: (schema) => stringPattern(schema)?.source.startsWith('^\\d{4}-') === true,
  // a check value of one share: short hex
  shareCheck: (schema) => stringPattern(schema)?.source === '^[0-9A-Fa-f]{6,64}$',
  // counts and flags
  sharesUsed: (schema) => typeName(schema) === 'number',
  hasCredentials: (schema) => typeName(schema) === 'boolean',
};

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const typeName = (schema: z.ZodType): string => defOf(unwrapped(schema)).type;
function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'readonly') {
      current = def.innerType as z.ZodType;
    } else return current;
  }
}
type Check = { _zod: { def: { check: string; maximum?: number; format?: string; pattern?: RegExp } } };
const checksOf = (schema: z.ZodType): Check['_zod']['def'][] =>
  ((defOf(schema).checks as Check[] | undefined) ?? []).map((check) => check._zod.def);
function stringPattern(schema: z.ZodType): RegExp | undefined {
  return checksOf(unwrapped(schema)).find((check) => check.format === 'regex')?.pattern;
}
const words = (name: string) => name.split(/(?=[A-Z])|[_-]/).map((word) => word.toLowerCase());

interface Finding { path: string; problem: string }

function walkReply(schema: z.ZodType, path: string, findings: Finding[]): void {
  const inner = unwrapped(schema);
  const def = defOf(inner);
  switch (def.type) {
    case 'object': {
      for (const [field, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
        const fieldPath = `${path}.${field}`;
        const hit = words(field).some((word) => FORBIDDEN_WORDS.includes(word));
        if (hit) {
          const proof = METADATA_NAMES[field];
          if (!proof) findings.push({ path: fieldPath, problem: 'name suggests material or a credential' });
          else if (!proof(child)) findings.push({ path: fieldPath, problem: 'metadata name without a metadata type' });
        }
        walkReply(child, fieldPath, findings);
      }
      if (def.catchall && defOf(def.catchall as z.ZodType).type !== 'never') {
        findings.push({ path, problem: 'object passes unknown fields through' });
      }
      return;
    }
    case 'string': {
      const max = checksOf(inner).find((check) => check.check === 'max_length')?.maximum;
      if (max === undefined || max > 8192) findings.push({ path, problem: 'unbounded string' });
      return;
    }
    case 'array': {
      const max = checksOf(inner).find((check) => check.check === 'max_length')?.maximum;
      if (max === undefined) findings.push({ path, problem: 'unbounded list' });
      walkReply(def.element as z.ZodType, `${path}[]`, findings);
      return;
    }
    case 'record':
      walkReply(def.keyType as z.ZodType, `${path}{key}`, findings);
      walkReply(def.valueType as z.ZodType, `${path}{}`, findings);
      return;
    case 'union':
      (def.options as z.ZodType[]).forEach((option, i) => walkReply(option, `${path}|${i}`, findings));
      return;
    case 'enum':
    case 'literal':
    case 'number':
    case 'boolean':
    case 'null':
      return;
    default:
      findings.push({ path, problem: `schema type ${def.type} cannot be proven safe` });
  }
}

describe('the IPC channel table', () => {
  it('has a channel for every service method except close, with unique channel names', () => {
    const channels = Object.values(IPC_CHANNELS).map((spec) => spec.channel);
    expect(new Set(channels).size).toBe(channels.length);
    const service = createFakeService();
    const methods = Object.keys(service).filter((name) => typeof service[name as keyof typeof service] === 'function' && name !== 'close');
    expect(Object.keys(SERVICE_CHANNELS).sort()).toEqual(methods.sort());
  });

  it('routes every method to the channel the zod-free name table gives it (preload and shim use that table)', () => {
    expect(Object.fromEntries(CHANNEL_NAMES.map((name) => [name, IPC_CHANNELS[name].channel]))).toEqual({ ...IPC_CHANNEL_IDS });
  });

  it.each(CHANNEL_NAMES)('reply of %s can carry no material, credential or unbounded string', (name) => {
    const findings: Finding[] = [];
    walkReply(IPC_CHANNELS[name].reply, name, findings);
    expect(findings).toEqual([]);
  });

  it.each(Object.keys(SHELL_CHANNELS) as ShellChannelName[])('reply of the desktop-only %s channel can carry no material, credential or unbounded string', (name) => {
    const findings: Finding[] = [];
    walkReply(SHELL_CHANNELS[name].reply, name, findings);
    expect(findings).toEqual([]);
  });

  it('routes the desktop-only channels to the names the preload uses, distinct from every service channel', () => {
    expect(Object.fromEntries(Object.entries(SHELL_CHANNELS).map(([name, spec]) => [name, spec.channel]))).toEqual({ ...SHELL_CHANNEL_IDS });
    const all = [...Object.values(IPC_CHANNEL_IDS), ...Object.values(SHELL_CHANNEL_IDS)];
    expect(new Set(all).size).toBe(all.length);
  });

  it('the walker itself flags a secret field, an unbounded string and a passthrough object', async () => {
    const { z } = await import('zod');
    const findings: Finding[] = [];
    walkReply(z.object({ keyMaterial: z.string().max(10), note: z.string(), materialExpiry: z.string().max(9) }), 'probe', findings);
    walkReply(z.object({ id: z.string().max(3) }).passthrough(), 'loose', findings);
    expect(findings.map((finding) => finding.path)).toEqual(['probe.keyMaterial', 'probe.note', 'probe.materialExpiry', 'loose']);
  });
});

// One malformed request per kind of mistake, per channel; the fake's spies prove the core was not called.
const huge = 'x'.repeat(70_000);
const malformed: Array<[string, unknown]> = [
  ['a string instead of an object', 'vaultInfo'],
  ['an array', []],
  ['a number', 42],
  ['an unknown extra field', { unexpected: true }],
  ['a prototype-pollution key', JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}')],
  ['a huge string in every string slot', { path: huge, alias: huge, keyId: huge, name: huge, out: huge, search: huge }],
];

describe('malformed requests', () => {
  const requestsByChannel = (Object.keys(SERVICE_CHANNELS) as ServiceChannelName[]).flatMap((name) =>
    malformed.map(([kind, request]) => [name, kind, request] as const),
  );

  it.each(requestsByChannel)('%s refuses %s with INVALID_INPUT and never calls the core', async (name, _kind, request) => {
    const service = createFakeService();
    const handlers = createIpcHandlers(service, { isTrustedSender: () => true });
    const reply = await handlers.handle(name, request, { frameUrl: 'app://renderer/index.html' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('INVALID_INPUT');
    expect(ERROR_CODES).toContain(reply.error.code);
    expect(reply.error.message).not.toContain('xxxxxxxx');
    for (const method of Object.values(service)) {
      if (typeof method === 'function' && 'mock' in method) expect(method).not.toHaveBeenCalled();
    }
  });

  it('refuses wrong types field by field on a typical channel', async () => {
    const service = createFakeService();
    const handlers = createIpcHandlers(service, { isTrustedSender: () => true });
    const cases: unknown[] = [
      { spec: 'AES_256', alias: 'ok', count: 0 },
      { spec: 'AES_256', alias: 'ok', count: 1.5 },
      { spec: 'AES_256', alias: 'ok', count: 1001 },
      { spec: 'AES_999', alias: 'ok' },
      { spec: 'AES_256', alias: 'has space' },
      { spec: 'AES_256', alias: 'a'.repeat(256) },
      { spec: 'AES_256', alias: 'ok', diceRolls: '1237' },
      { spec: 'AES_256', alias: 'ok', witnesses: Array(33).fill('w') },
      { spec: 'AES_256', alias: 'ok', entropyFiles: ['/tmp/a\u0000b'] },
    ];
    for (const request of cases) {
      const reply = await handlers.handle('generateKeys', request, { frameUrl: null });
      expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(service.generateKeys).not.toHaveBeenCalled();
  });

  it('never echoes a misplaced secret in the error message', async () => {
    const service = createFakeService();
    const handlers = createIpcHandlers(service, { isTrustedSender: () => true });
    const reply = await handlers.handle(
      'providerAdd',
      { name: 'p', type: 'aws', region: 'us-east-1', accessKeyId: 'AKIA', secret: 'S3CR3T-VALUE', extra: 'S3CR3T-VALUE' },
      { frameUrl: null },
    );
    expect(reply.ok).toBe(false);
    expect(JSON.stringify(reply)).not.toContain('S3CR3T');
    expect(service.providerAdd).not.toHaveBeenCalled();
  });
});

describe('the content security policy', () => {
  it('is the same in the window header and the page meta tag, except frame-ancestors (header only)', async () => {
    const { readFileSync } = await import('node:fs');
    const { CONTENT_SECURITY_POLICY } = await import('../../../main/electron/security-policy.ts');
    const html = readFileSync(new URL('../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const header = CONTENT_SECURITY_POLICY.split('; ').filter((directive) => !directive.startsWith('frame-ancestors'));
    expect(meta?.split('; ')).toEqual(header);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
  });

  it('gives the hidden PDF print window the same hardening, no preload and no JavaScript', async () => {
    const { printWebPreferences, secureWebPreferences } = await import('../../../main/electron/security-policy.ts');
    const printSession = {} as never;
    const prefs = printWebPreferences(printSession);
    const { preload: _preload, devTools: _devTools, ...hardening } = secureWebPreferences('/p.cjs', false);
    expect(prefs).toMatchObject({ ...hardening, javascript: false, devTools: false });
    expect(prefs.session).toBe(printSession);
    expect('preload' in prefs).toBe(false);
  });
});
