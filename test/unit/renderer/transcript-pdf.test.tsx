// @vitest-environment jsdom
// The Audit screen's PDF card: in the desktop app it asks the main process (window.byok.shell) to print
// the transcript; in the browser bridge it writes the printable HTML through the service instead.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n } from '../../../renderer/i18n/index.ts';
import { createFakeService } from '../../support-ui/fake-service.ts';
import { createInProcessByok, installByok } from '../../support-ui/in-process-byok.ts';

beforeAll(() => initI18n('en'));
afterEach(cleanup);

const SHA = 'e'.repeat(64);

function installDesktop(saveReply: unknown = { ok: true, value: { name: 'ceremony.pdf', path: '/out/ceremony.pdf', sha256: SHA } }) {
  const service = createFakeService();
  const shell = {
    choosePaths: vi.fn(async () => ({ ok: true as const, value: { paths: ['/chosen'] } })),
    pathForFile: vi.fn(() => ''),
    saveTranscriptPdf: vi.fn(async () => saveReply),
  };
  Object.defineProperty(window, 'byok', { value: { ...createInProcessByok(service), shell }, configurable: true, writable: true });
  return { service, shell };
}

const pdfCard = async () => (await screen.findByRole('heading', { name: 'Save as PDF' })).closest('section') as HTMLElement;

describe('Save transcript as PDF in the desktop app', () => {
  it('sends the path and paper size to the main process and shows the saved file with its SHA-256', async () => {
    const { shell, service } = installDesktop();
    const user = userEvent.setup();
    render(<App initialScreen="audit" />);
    const card = await pdfCard();
    await user.selectOptions(within(card).getByLabelText('Paper size'), 'Letter');
    await user.type(within(card).getByLabelText('PDF file'), '/out/ceremony.pdf');
    await user.click(within(card).getByRole('button', { name: 'Save as PDF' }));
    const result = await within(card).findByTestId('pdf-result');
    expect(result.textContent).toContain('/out/ceremony.pdf');
    expect(result.textContent).toContain(SHA);
    expect(shell.saveTranscriptPdf).toHaveBeenCalledWith({ out: '/out/ceremony.pdf', paperSize: 'Letter' });
    expect(service.auditExport).not.toHaveBeenCalled();
    expect(screen.queryByTestId('transcript-printable')).toBeNull();
  });

  it('keeps the button disabled until the path ends in .pdf, and says why', async () => {
    installDesktop();
    const user = userEvent.setup();
    render(<App initialScreen="audit" />);
    const card = await pdfCard();
    const button = within(card).getByRole('button', { name: 'Save as PDF' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await user.type(within(card).getByLabelText('PDF file'), '/out/transcript.html');
    expect(button.disabled).toBe(true);
    expect(within(card).getByRole('note').textContent).toContain('.pdf');
    await user.clear(within(card).getByLabelText('PDF file'));
    await user.type(within(card).getByLabelText('PDF file'), '/out/transcript.PDF');
    expect(button.disabled).toBe(false);
  });

  it('shows the typed error when the file already exists', async () => {
    installDesktop({ ok: false, error: { code: 'OUTPUT_EXISTS', message: '/out/old.pdf already exists; a transcript is never overwritten. Choose another file name.' } });
    const user = userEvent.setup();
    render(<App initialScreen="audit" />);
    const card = await pdfCard();
    await user.type(within(card).getByLabelText('PDF file'), '/out/old.pdf');
    await user.click(within(card).getByRole('button', { name: 'Save as PDF' }));
    const alert = await within(card).findByRole('alert');
    expect(alert.textContent).toContain('OUTPUT_EXISTS');
    expect(alert.textContent).toContain('never overwritten');
    expect(within(card).queryByTestId('pdf-result')).toBeNull();
  });

  it('fills the path from the native dialog', async () => {
    const { shell } = installDesktop();
    const user = userEvent.setup();
    render(<App initialScreen="audit" />);
    const card = await pdfCard();
    await user.click(within(card).getByRole('button', { name: 'Browse…' }));
    expect(shell.choosePaths).toHaveBeenCalledWith({ purpose: 'save-file', multiple: false });
    expect((within(card).getByLabelText('PDF file') as HTMLInputElement).value).toBe('/chosen');
  });
});

describe('Printable transcript in the browser bridge', () => {
  it('offers no PDF button and writes the printable HTML through the service instead', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="audit" />);
    const card = (await screen.findByRole('heading', { name: 'Print or save as PDF' })).closest('section') as HTMLElement;
    expect(screen.queryByRole('button', { name: 'Save as PDF' })).toBeNull();
    expect(within(card).getByText(/print it \(Ctrl\+P or ⌘P\)/)).toBeTruthy();
    await user.type(within(card).getByLabelText('HTML file'), '/out/print.html');
    await user.click(within(card).getByRole('button', { name: 'Write printable transcript' }));
    expect((await within(card).findByTestId('printable-result')).textContent).toContain('/out/print.html');
    expect(service.auditExport).toHaveBeenCalledWith({ format: 'html', out: '/out/print.html' });
  });
});

describe('PDF card strings', () => {
  it('has every string in Simplified Chinese too', async () => {
    const { en } = await import('../../../renderer/i18n/en.ts');
    const { zhCN } = await import('../../../renderer/i18n/zh-cn.ts');
    expect(Object.keys(zhCN.audit.pdf).sort()).toEqual(Object.keys(en.audit.pdf).sort());
    for (const value of Object.values(zhCN.audit.pdf)) expect(value).not.toBe('');
    expect(zhCN.audit.pdf.button).not.toBe(en.audit.pdf.button);
  });
});
