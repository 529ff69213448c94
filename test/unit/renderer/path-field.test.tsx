// @vitest-environment jsdom
// Paths: a text field everywhere; in the desktop app also the native dialog and drag and drop through
// window.byok.shell (the preload's webUtils.getPathForFile).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n } from '../../../renderer/i18n/index.ts';
import { createFakeService } from '../../support-ui/fake-service.ts';
import { createInProcessByok } from '../../support-ui/in-process-byok.ts';

beforeAll(() => initI18n('en'));
afterEach(cleanup);

function installWithShell(paths: string[]) {
  const shell = {
    choosePaths: vi.fn(async () => ({ ok: true as const, value: { paths } })),
    pathForFile: vi.fn((file: File) => `/dropped/${file.name}`),
  };
  const byok = { ...createInProcessByok(createFakeService()), shell };
  Object.defineProperty(window, 'byok', { value: byok, configurable: true, writable: true });
  return shell;
}

describe('PathField', () => {
  it('offers no dialog button in the browser, only the text field', async () => {
    Object.defineProperty(window, 'byok', { value: createInProcessByok(createFakeService()), configurable: true, writable: true });
    render(<App initialScreen="ceremony" />);
    expect(screen.getByLabelText('Parameters file 1')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull();
  });

  it('fills one row per file chosen in the desktop dialog', async () => {
    const shell = installWithShell(['/p/aws.json', '/p/tencent.json']);
    const user = userEvent.setup();
    render(<App initialScreen="ceremony" />);
    const field = screen.getByLabelText('Parameters file 1').closest('.path-field') as HTMLElement;
    await user.click(within(field).getByRole('button', { name: 'Browse…' }));
    expect(shell.choosePaths).toHaveBeenCalledWith({ purpose: 'params-files', multiple: true });
    expect((await screen.findByLabelText('Parameters file 1') as HTMLInputElement).value).toBe('/p/aws.json');
    expect((screen.getByLabelText('Parameters file 2') as HTMLInputElement).value).toBe('/p/tencent.json');
  });

  it('takes the path of a dropped file from the preload', async () => {
    const shell = installWithShell([]);
    render(<App initialScreen="ceremony" />);
    const field = screen.getByLabelText('Parameters file 1').closest('.path-field')!;
    const file = new File(['{}'], 'huawei.json', { type: 'application/json' });
    fireEvent.drop(field, { dataTransfer: { files: [file] } });
    expect(shell.pathForFile).toHaveBeenCalledWith(file);
    expect((screen.getByLabelText('Parameters file 1') as HTMLInputElement).value).toBe('/dropped/huawei.json');
  });
});
