// The transcript as PDF. In the desktop app the main process prints it (window.byok.shell); the browser
// bridge has no print-to-file path, so there the card writes the printable HTML and says how to print it.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PaperSize } from '../../shared/ipc.ts';
import { call, CallError } from '../api/call.ts';
import { useAction } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { SelectField } from '../components/field.tsx';
import { PathField } from '../components/path-field.tsx';

// A Record, so a paper size added to the contract fails to compile here until it has a label. (The list is
// not imported from shared/ipc.ts as a value: that would pull zod into the renderer bundle.)
const PAPER_LABEL_KEYS: Record<PaperSize, 'audit.pdf.a4' | 'audit.pdf.letter'> = { A4: 'audit.pdf.a4', Letter: 'audit.pdf.letter' };
const PAPER_SIZES = Object.keys(PAPER_LABEL_KEYS) as PaperSize[];
const isPdfPath = (path: string) => /\.pdf$/i.test(path);

export function TranscriptPdf() {
  return window.byok.shell ? <DesktopPdf /> : <BrowserPrintable />;
}

function DesktopPdf() {
  const { t } = useTranslation();
  const [paperSize, setPaperSize] = useState<PaperSize>('A4');
  const [out, setOut] = useState('');
  const path = out.trim();
  const save = useAction(async () => {
    const shell = window.byok.shell;
    if (!shell) throw new CallError('UNSUPPORTED', 'Saving as PDF needs the desktop app.');
    let reply;
    try {
      reply = await shell.saveTranscriptPdf({ out: path, paperSize });
    } catch {
      throw new CallError('INTERNAL', 'The app’s main process did not answer. Restart the app; nothing was written.');
    }
    if (!reply.ok) throw new CallError(reply.error.code, reply.error.message);
    return reply.value;
  });

  return (
    <section aria-labelledby="pdf-title" className="card" data-testid="transcript-pdf">
      <h2 id="pdf-title">{t('audit.pdf.title')}</h2>
      <p className="hint">{t('audit.pdf.help')}</p>
      <SelectField
        label={t('audit.pdf.paperSize')}
        value={paperSize}
        onChange={(value) => setPaperSize(value as PaperSize)}
        options={PAPER_SIZES.map((size) => ({ value: size, label: t(PAPER_LABEL_KEYS[size]) }))}
      />
      <PathField label={t('audit.pdf.out')} purpose="save-file" value={out} onChange={setOut} placeholder={t('audit.pdf.placeholder')} />
      {path !== '' && !isPdfPath(path) && <p className="hint" role="note">{t('audit.pdf.needsPdf')}</p>}
      <button type="button" disabled={save.busy || !isPdfPath(path)} aria-busy={save.busy} onClick={() => void save.run()}>
        {t('audit.pdf.button')}
      </button>
      {save.busy && <p role="status">{t('audit.pdf.saving')}</p>}
      <ErrorBanner error={save.error} />
      {save.result && !save.busy && (
        <p role="status" data-testid="pdf-result">
          {t('audit.pdf.saved', { path: save.result.path })} <code className="sha">{save.result.sha256}</code>
        </p>
      )}
    </section>
  );
}

function BrowserPrintable() {
  const { t } = useTranslation();
  const [out, setOut] = useState('');
  const path = out.trim();
  const write = useAction(() => call('auditExport', { format: 'html', out: path }));

  return (
    <section aria-labelledby="printable-title" className="card" data-testid="transcript-printable">
      <h2 id="printable-title">{t('audit.pdf.browserTitle')}</h2>
      <p className="hint">{t('audit.pdf.browserHelp')}</p>
      <PathField label={t('audit.pdf.browserOut')} purpose="save-file" value={out} onChange={setOut} placeholder={t('audit.pdf.browserPlaceholder')} />
      <button type="button" disabled={write.busy || path === ''} onClick={() => void write.run()}>
        {t('audit.pdf.browserButton')}
      </button>
      <ErrorBanner error={write.error} />
      {write.result && (
        <p role="status" data-testid="printable-result">
          {t('audit.pdf.browserSaved', { path: write.result.path })} <code className="sha">{write.result.sha256}</code>
        </p>
      )}
    </section>
  );
}
