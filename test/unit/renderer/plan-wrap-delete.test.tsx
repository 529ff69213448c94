// @vitest-environment jsdom
// The three CLI operations that now have an app face, against the fake core through the real IPC
// handlers: loading a plan into the wizard, wrapping every key of a request file, deleting imported
// material behind a typed confirmation.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n } from '../../../renderer/i18n/index.ts';
import { groupedHex, problemPlace } from '../../../renderer/screens/plan-loader.tsx';
import { ByokError } from '../../../shared/errors.ts';
import { createFakeService, fakeKey, fakePlanCheck } from '../../support-ui/fake-service.ts';
import { installByok } from '../../support-ui/in-process-byok.ts';

beforeAll(() => initI18n('en'));
afterEach(cleanup);

const valueOf = (label: string) => (screen.getByLabelText(label) as HTMLInputElement).value;

describe('Load a plan file (wizard start)', () => {
  it('checks the plan, shows its hash in hex and PGP words, and fills params files, aliases and people', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await user.type(screen.getByLabelText('Plan file'), '/plans/plan.yaml');
    await user.type(screen.getByLabelText('Ceremony time (optional)'), '2026-12-01T09:00:00Z');
    await user.click(screen.getByRole('button', { name: 'Check and load plan' }));

    expect((await screen.findByTestId('plan-sha256')).textContent).toBe(groupedHex('0123456789abcdef'.repeat(4)));
    expect(screen.getByTestId('plan-words').textContent).toBe('aardvark absurd accrue acme');
    expect(service.planCheck).toHaveBeenCalledWith({ path: '/plans/plan.yaml', at: '2026-12-01T09:00:00Z' });
    expect(valueOf('Parameters file 1')).toBe('/plans/params/a1.json');
    expect(valueOf('Parameters file 2')).toBe('/plans/params/a2.json');
    expect(valueOf('Parameters file 3')).toBe('/plans/params/h.json');

    await user.click(screen.getByRole('button', { name: 'Read parameters' }));
    const aliases = (await screen.findAllByLabelText('Alias')).map((input) => (input as HTMLInputElement).value);
    expect(aliases).toEqual(['payments-dek-1', 'payments-dek-2', 'signing-ec']);
    expect(valueOf('Operator')).toBe('Alice Operator');
    expect(valueOf('Witnesses')).toBe('Bob Witness, Carol Witness');
  });

  it('lists every problem with its line:column and fills nothing when the plan is not ok', async () => {
    const service = createFakeService();
    service.planCheck.mockImplementationOnce(async (request: { path: string }) =>
      fakePlanCheck(request.path, {
        ok: false,
        problems: [
          { line: 12, column: 5, path: 'keys[0].spec', code: 'SCHEMA', message: 'spec must be one of the key specs' },
          { path: '', code: 'WITNESS_REQUIRED', message: 'a witnessed ceremony needs at least one witness' },
        ],
      }),
    );
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await user.type(screen.getByLabelText('Plan file'), '/plans/bad.yaml');
    await user.keyboard('{Enter}');

    const problems = await screen.findByRole('list', { name: 'Problems in the plan' });
    const items = within(problems).getAllByRole('listitem').map((item) => item.textContent);
    expect(items[0]).toBe('12:5 keys[0].spec SCHEMA: spec must be one of the key specs');
    expect(items[1]).toBe('whole file WITNESS_REQUIRED: a witnessed ceremony needs at least one witness');
    expect(screen.getByRole('status').textContent).toContain('2 problem(s)');
    expect(valueOf('Parameters file 1')).toBe('');
  });

  it('shows the core’s typed error when the plan file cannot be read', async () => {
    const service = createFakeService();
    service.planCheck.mockRejectedValueOnce(new ByokError('FILE_NOT_FOUND', 'Cannot read the plan file /nope.yaml. Check the path.'));
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await user.type(screen.getByLabelText('Plan file'), '/nope.yaml');
    await user.click(screen.getByRole('button', { name: 'Check and load plan' }));
    expect((await screen.findByRole('alert')).getAttribute('data-code')).toBe('FILE_NOT_FOUND');
  });

  it('records every step under the plan’s hash and pre-fills the output folder and a shared material expiry', async () => {
    const service = createFakeService();
    service.planCheck.mockImplementationOnce(async (request: { path: string }) => {
      const plan = fakePlanCheck(request.path);
      return { ...plan, keys: [{ ...plan.keys[0]!, label: 'solo-dek', count: 1, materialExpiry: '2027-06-30T00:00:00Z' }] };
    });
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await user.type(screen.getByLabelText('Plan file'), '/plans/plan.yaml');
    await user.click(screen.getByRole('button', { name: 'Check and load plan' }));
    await screen.findByTestId('plan-sha256');
    await user.click(screen.getByRole('button', { name: 'Read parameters' }));
    await screen.findByTestId('params-summary');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Check that this machine is offline' }));
    await screen.findByTestId('offline-result');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Generate 1 key(s)' }));
    await screen.findByTestId('entropy-health');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.type(screen.getByLabelText(/type the KCV of solo-dek/), service.keys[0]!.check.value);
    await user.click(screen.getByRole('button', { name: 'Confirm check values' }));
    expect(service.recordCeremonyStep).toHaveBeenCalledWith(expect.objectContaining({ planSha256: '0123456789abcdef'.repeat(4), operator: 'Alice Operator' }));
    await user.click(screen.getByRole('button', { name: 'Verify backups in the keychain' }));
    await user.click(await screen.findByRole('button', { name: 'Next' }));
    expect(valueOf('Output folder')).toBe('/plans/out');
    expect(valueOf('Material expiry (optional)')).toBe('2027-06-30T00:00:00Z');
  });

  it('places a problem by line:column and path, or names the whole file', () => {
    expect(problemPlace({ line: 3, column: 1, path: 'output', code: 'OUTPUT_NOT_EMPTY', message: '' }, 'whole file')).toBe('3:1 output');
    expect(problemPlace({ line: 1, path: '', code: 'YAML_SYNTAX', message: '' }, 'whole file')).toBe('1:1');
    expect(problemPlace({ path: '', code: 'SCHEMA', message: '' }, 'whole file')).toBe('whole file');
  });
});

describe('Wrap every key of a request file', () => {
  it('calls wrapAll with the request file and folder and lists every file with its SHA-256', async () => {
    const service = createFakeService([fakeKey(1, { alias: 'dek-a' }), fakeKey(2, { alias: 'dek-b' })]);
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    const card = screen.getByRole('heading', { name: 'Wrap every key of a request file' }).closest('section') as HTMLElement;
    const button = within(card).getByRole('button', { name: 'Wrap every key' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await user.type(within(card).getByLabelText('Request file'), '/carry/request.json');
    await user.type(within(card).getByLabelText('Output folder for the bundles'), '/out');
    await user.click(button);

    const result = await within(card).findByTestId('wrap-all-result');
    expect(within(result).getByRole('status').textContent).toBe('Wrapped 2 key(s).');
    expect(within(result).getByText('/out/dek-a/bundle.json')).toBeTruthy();
    expect(within(result).getByText('2'.repeat(64))).toBeTruthy();
    expect(service.wrapAll).toHaveBeenCalledWith({ paramsPath: '/carry/request.json', outDir: '/out' }, expect.anything());
  });

  it('shows the refusal when the file is a single provider response', async () => {
    const service = createFakeService();
    service.wrapAll.mockRejectedValueOnce(new ByokError('INVALID_ARGUMENT', 'aws.json is a single provider response; name the key with --key.'));
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    const card = screen.getByRole('heading', { name: 'Wrap every key of a request file' }).closest('section') as HTMLElement;
    await user.type(within(card).getByLabelText('Request file'), '/p/aws.json');
    await user.type(within(card).getByLabelText('Output folder for the bundles'), '/out');
    await user.click(within(card).getByRole('button', { name: 'Wrap every key' }));
    expect((await within(card).findByRole('alert')).getAttribute('data-code')).toBe('INVALID_ARGUMENT');
  });
});

describe('Delete imported material (Sync screen)', () => {
  const bound = () =>
    fakeKey(1, {
      alias: 'ledger-key',
      remote: [{ provider: 'hw', providerType: 'huawei', region: 'cn-north-4', remoteKeyId: 'rk-1', state: 'Enabled', materialExpiry: null, lastSyncedAt: null }],
    });

  it('asks for the alias typed back, then deletes and shows the new remote state; Escape cancels', async () => {
    const service = createFakeService([bound()]);
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="sync" />);
    const trigger = await screen.findByRole('button', { name: 'Delete imported material of ledger-key at hw' });
    await user.click(trigger);
    let dialog = screen.getByRole('dialog', { name: 'Delete the imported material of ledger-key?' });
    const input = within(dialog).getByLabelText('Type the alias ledger-key to confirm');
    expect(document.activeElement).toBe(input);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(trigger);

    await user.keyboard('{Enter}');
    dialog = screen.getByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Delete material' }) as HTMLButtonElement;
    await user.type(within(dialog).getByLabelText('Type the alias ledger-key to confirm'), 'ledger-ke');
    expect(confirm.disabled).toBe(true);
    await user.keyboard('{Enter}');
    expect(service.deleteMaterial).not.toHaveBeenCalled();
    await user.type(within(dialog).getByLabelText('Type the alias ledger-key to confirm'), 'y');
    await user.click(confirm);

    expect((await screen.findByTestId('delete-material-result')).textContent).toBe(
      'Deleted the material of ledger-key at hw; the remote key is now Pending import.',
    );
    expect(service.deleteMaterial).toHaveBeenCalledWith({ keyId: 'key-1', provider: 'hw' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the provider’s typed refusal inside the dialog and keeps it open', async () => {
    const service = createFakeService([bound()]);
    service.deleteMaterial.mockRejectedValueOnce(new ByokError('KMS_INVALID_STATE', 'Huawei Cloud KMS cannot delete the imported material of an asymmetric key.'));
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="sync" />);
    await user.click(await screen.findByRole('button', { name: 'Delete imported material of ledger-key at hw' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('Type the alias ledger-key to confirm'), 'ledger-key{Enter}');
    const alert = await within(dialog).findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('KMS_INVALID_STATE');
    expect(alert.textContent).toContain('asymmetric');
  });

  it('says so when no key is bound to a remote key', async () => {
    installByok(createFakeService([fakeKey(1)]));
    render(<App initialScreen="sync" />);
    expect(await screen.findByText('No key is bound to a remote key.')).toBeTruthy();
  });
});
