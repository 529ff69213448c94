// A file or folder path. Everywhere: a text field (the browser bridge has no file dialog). In the desktop
// app also a native dialog button and a drop zone (the preload turns a dropped File into its path).
import { useId, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';

type Purpose = 'params-files' | 'entropy-files' | 'share-files' | 'bundle-file' | 'output-folder' | 'save-file';

export function PathField({
  label,
  value,
  onChange,
  purpose,
  placeholder,
  onDropMany,
}: {
  label: string;
  value: string;
  onChange: (path: string) => void;
  purpose: Purpose;
  placeholder?: string;
  /** When several files are dropped or chosen at once. */
  onDropMany?: (paths: string[]) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [over, setOver] = useState(false);
  const shell = window.byok.shell;

  const accept = (paths: string[]) => {
    if (paths.length === 0) return;
    if (paths.length > 1 && onDropMany) onDropMany(paths);
    else onChange(paths[0]!);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!shell) return;
    accept(Array.from(event.dataTransfer.files).map((file) => shell.pathForFile(file)).filter(Boolean));
  };
  const browse = async () => {
    if (!shell) return;
    const reply = await shell.choosePaths({ purpose, multiple: Boolean(onDropMany) });
    if (reply.ok) accept(reply.value.paths);
  };

  return (
    <div
      className={`path-field${over ? ' drop-over' : ''}`}
      onDragOver={(event) => {
        if (!shell) return;
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        spellCheck={false}
        autoComplete="off"
        value={value}
        placeholder={placeholder ?? t('path.placeholder')}
        onChange={(event) => onChange(event.target.value)}
      />
      {shell && (
        <button type="button" onClick={() => void browse()}>
          {t('path.browse')}
        </button>
      )}
    </div>
  );
}
