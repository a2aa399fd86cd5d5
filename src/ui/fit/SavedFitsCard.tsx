import { useId, useState } from 'react';
import { useWorkbench } from '../../state/store';
import { downloadText } from '../components/download';
import { formatObjective } from '../charts/format';

/** Fit files larger than this are refused before reading (MB). */
const MAX_IMPORT_MB = 100;

/** Fits kept in this browser: open, export, delete; and a fit file to import. */
export function SavedFitsCard() {
  const id = useId();
  const fits = useWorkbench((s) => s.savedFits);
  const storageStatus = useWorkbench((s) => s.savedFitsStatus);
  const storageMessage = useWorkbench((s) => s.fitStorageMessage);
  const fileMessage = useWorkbench((s) => s.fitFileMessage);
  const currentFitId = useWorkbench((s) => s.currentFitId);
  const running = useWorkbench((s) => s.fitStatus === 'running');
  const loadSavedFit = useWorkbench((s) => s.loadSavedFit);
  const deleteFit = useWorkbench((s) => s.deleteFit);
  const exportFit = useWorkbench((s) => s.exportFit);
  const importFitFile = useWorkbench((s) => s.importFitFile);
  const [readError, setReadError] = useState<string | null>(null);

  async function onFile(file: File) {
    setReadError(null);
    if (file.size > MAX_IMPORT_MB * 1e6) {
      setReadError(
        `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; the limit is ${MAX_IMPORT_MB} MB.`,
      );
      return;
    }
    try {
      await importFitFile(file.name, await file.text());
    } catch (err) {
      setReadError(`Could not read ${file.name}: ${String(err)}`);
    }
  }

  async function onExport(fitId: string) {
    const file = await exportFit(fitId);
    if (file) downloadText(file.fileName, file.text);
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="saved-fits">
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          Saved fits
        </h2>
        <span className="spacer" />
        <label className="button secondary-button" htmlFor={`${id}-import`}>
          Import a fit file…
        </label>
        <input
          id={`${id}-import`}
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          data-testid="fit-import"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void onFile(file);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <p className="muted small">
        Every finished fit is kept in this browser and survives a reload. Export a fit to share it
        or keep it elsewhere; nothing leaves this machine otherwise.
      </p>
      {storageMessage ? (
        <p className="alert warn small" role="status">
          {storageMessage}
        </p>
      ) : null}
      {readError ? (
        <p className="alert error small" role="alert">
          {readError}
        </p>
      ) : null}
      {fileMessage ? (
        <div
          className={`alert ${fileMessage.kind === 'ok' ? 'ok' : 'error'} small`}
          role={fileMessage.kind === 'ok' ? 'status' : 'alert'}
          data-testid="fit-file-message"
        >
          {fileMessage.text}
          {fileMessage.problems?.length ? (
            <ul>
              {fileMessage.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {fits.length === 0 ? (
        <p className="muted" data-testid="saved-fits-empty">
          {storageStatus === 'loading' ? 'Looking for saved fits…' : 'No saved fits yet.'}
        </p>
      ) : (
        <ul className="fit-list" aria-label="Saved fits">
          {fits.map((f) => {
            const current = f.id === currentFitId;
            return (
              <li key={f.id} className={current ? 'current' : undefined} data-testid="saved-fit">
                <div className="fit-list-main">
                  <strong>{f.label}</strong>
                  {current ? <span className="tag">open</span> : null}
                  <div className="muted small">
                    {f.modelName} · OFV {formatObjective(f.ofv)} ·{' '}
                    {f.converged ? 'converged' : 'not converged'} ·{' '}
                    {new Date(f.date).toLocaleString()}
                  </div>
                </div>
                <div className="row">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void loadSavedFit(f.id, { adoptSpec: true })}
                    disabled={current || running}
                    aria-label={`Open ${f.label}`}
                  >
                    Open
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void onExport(f.id)}
                    aria-label={`Export ${f.label} as a file`}
                  >
                    Export
                  </button>
                  <button
                    type="button"
                    className="secondary danger"
                    onClick={() => {
                      if (window.confirm(`Delete the saved fit "${f.label}"?`))
                        void deleteFit(f.id);
                    }}
                    aria-label={`Delete ${f.label}`}
                  >
                    Delete
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
