// @vitest-environment jsdom
// The ceremony wizard end to end against the fake core: a step opens only after the one before it
// succeeded, and a mistyped KCV blocks the ceremony.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n } from '../../../renderer/i18n/index.ts';
import { ByokError } from '../../../shared/errors.ts';
import { createFakeService } from '../../support-ui/fake-service.ts';
import { installByok } from '../../support-ui/in-process-byok.ts';

beforeAll(() => initI18n('en'));
afterEach(cleanup);

async function throughGenerate(user: ReturnType<typeof userEvent.setup>, diceRolls = '', afterGenerate?: () => void) {
  await user.type(screen.getByLabelText('Parameters file 1'), '/params/aws.json');
  await user.click(screen.getByRole('button', { name: 'Read parameters' }));
  expect(await screen.findByTestId('params-summary')).toBeTruthy();
  await user.type(screen.getByLabelText('Alias'), 'alias/payments');
  await user.type(screen.getByLabelText('Operator'), 'Ada');
  await user.type(screen.getByLabelText('Witnesses'), 'Bo, Cy');
  await user.click(screen.getByRole('button', { name: 'Next' }));
  await user.click(screen.getByRole('button', { name: 'Check that this machine is offline' }));
  expect((await screen.findByTestId('offline-result')).textContent).toMatch(/^Offline/);
  await user.click(screen.getByRole('button', { name: 'Next' }));
  if (diceRolls) await user.type(screen.getByLabelText('Dice rolls'), diceRolls);
  await user.click(screen.getByRole('button', { name: 'Generate 1 key(s)' }));
  expect((await screen.findByTestId('entropy-health')).textContent).toContain('passed');
  afterGenerate?.();
  await user.click(screen.getByRole('button', { name: 'Next' }));
}

describe('CeremonyWizard', () => {
  it('runs params -> keys -> offline -> generate -> KCV -> backup -> wrap -> summary', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await throughGenerate(user);

    const kcv = service.keys[0]!.check.value;
    const confirm = screen.getByRole('button', { name: 'Confirm check values' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByLabelText(/type the KCV of alias\/payments/), kcv.toLowerCase());
    expect((confirm as HTMLButtonElement).disabled).toBe(false);
    await user.click(confirm);
    expect(service.recordCeremonyStep).toHaveBeenCalledWith(
      expect.objectContaining({ step: 'kcv-read-back', status: 'confirmed', keyId: 'key-1', operator: 'Ada', witnesses: ['Bo', 'Cy'] }),
    );

    await user.click(await screen.findByRole('button', { name: 'Verify backups in the keychain' }));
    await waitFor(() => expect(screen.getByTestId('backup-state').textContent).toContain('Verified'));
    await user.click(screen.getByRole('button', { name: 'Next' }));

    await user.type(screen.getByLabelText('Output folder'), '/out');
    await user.click(screen.getByRole('button', { name: 'Wrap and write bundles' }));
    const files = await screen.findByTestId('summary-files');
    expect(within(files).getByText('/out/alias_payments/bundle.json')).toBeTruthy();
    expect(within(files).getByText('a'.repeat(64))).toBeTruthy();
    expect(service.wrap).toHaveBeenCalledWith(
      expect.objectContaining({ keyId: 'key-1', paramsPath: '/params/aws.json', outDir: '/out/alias_payments', operator: 'Ada' }),
      expect.anything(),
    );
  });

  it('mixes the operator’s dice rolls into generation and forgets them afterwards', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    let leftInField = 'not checked';
    await throughGenerate(user, '1234 5616', () => {
      leftInField = (screen.getByLabelText('Dice rolls') as HTMLInputElement).value;
    });
    expect(service.generateKeys).toHaveBeenCalledWith(expect.objectContaining({ diceRolls: '12345616' }), expect.anything());
    expect(leftInField).toBe('');
  });

  it('warns that the keys must not be used when a draw failed its health tests', async () => {
    const service = createFakeService();
    const generate = service.generateKeys.getMockImplementation() as (...args: unknown[]) => Promise<{ keys: unknown[]; entropy: { healthPassed: boolean } }>;
    service.generateKeys.mockImplementationOnce(async (...args: unknown[]) => {
      const reply = await generate(...args);
      return { ...reply, entropy: { ...reply.entropy, healthPassed: false } };
    });
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await user.type(screen.getByLabelText('Parameters file 1'), '/params/aws.json');
    await user.click(screen.getByRole('button', { name: 'Read parameters' }));
    await user.type(await screen.findByLabelText('Alias'), 'alias/bad-draw');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Check that this machine is offline' }));
    await screen.findByTestId('offline-result');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Generate 1 key(s)' }));
    expect((await screen.findByTestId('entropy-health')).textContent).toContain('FAILED: do not use these keys');
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('blocks the ceremony when the witness types a different KCV', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await throughGenerate(user);
    await user.type(screen.getByLabelText(/type the KCV/), '000000');
    expect(screen.getByRole('alert').textContent).toContain('does not match');
    expect((screen.getByRole('button', { name: 'Confirm check values' }) as HTMLButtonElement).disabled).toBe(true);
    expect(service.recordCeremonyStep).not.toHaveBeenCalled();
  });

  it('shows the core’s typed message when the parameters expired, and stays on the step', async () => {
    const service = createFakeService();
    service.inspectParams.mockRejectedValueOnce(new ByokError('PARAMS_EXPIRED', 'These import parameters expired at 2026-11-24T10:00:00Z; get new ones from the KMS.'));
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    await user.type(screen.getByLabelText('Parameters file 1'), '/params/old.json');
    await user.click(screen.getByRole('button', { name: 'Read parameters' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('PARAMS_EXPIRED');
    expect(alert.textContent).toContain('get new ones from the KMS');
    expect(screen.getByRole('button', { name: 'Read parameters' })).toBeTruthy();
  });
});
