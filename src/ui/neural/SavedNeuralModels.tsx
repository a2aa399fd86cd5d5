import { useId, useState } from 'react';
import { useWorkbench } from '../../state/store';
import { downloadText } from '../components/download';
import { formatNumber } from '../charts/format';

/** Model files larger than this are refused before reading (MB). */
const MAX_IMPORT_MB = 50;

/** Neural models kept in this browser: open, use, export, delete; and a model file to import. */
export function SavedNeuralModels() {
  const id = useId();
  const models = useWorkbench((s) => s.neuralModels);
  const status = useWorkbench((s) => s.neuralModelsStatus);
  const storageMessage = useWorkbench((s) => s.neuralStorageMessage);
  const fileMessage = useWorkbench((s) => s.neuralFileMessage);
  const currentId = useWorkbench((s) => s.currentNeuralId);
  const select = useWorkbench((s) => s.selectNeuralModel);
  const remove = useWorkbench((s) => s.deleteNeuralModel);
  const exportModel = useWorkbench((s) => s.exportNeuralModel);
  const importFile = useWorkbench((s) => s.importNeuralFile);
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
      await importFile(file.name, await file.text());
    } catch (err) {
      setReadError(`Could not read ${file.name}: ${String(err)}`);
    }
  }

  async function onExport(modelId: string) {
    const file = await exportModel(modelId);
    if (file) downloadText(file.fileName, file.text);
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="saved-neural-models">
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          Saved models
        </h2>
        <span className="spacer" />
        <label className="button secondary-button" htmlFor={`${id}-import`}>
          Import a model file…
        </label>
        <input
          id={`${id}-import`}
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          data-testid="neural-import"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void onFile(file);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <p className="muted small">
        Every trained model is kept in this browser and survives a reload. Export one to share it;
        nothing leaves this machine otherwise.
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
          data-testid="neural-file-message"
        >
          {fileMessage.text}
        </div>
      ) : null}
      {models.length === 0 ? (
        <p className="muted" data-testid="neural-models-empty">
          {status === 'loading' ? 'Looking for saved models…' : 'No saved models yet.'}
        </p>
      ) : (
        <ul className="fit-list" aria-label="Saved neural models">
          {models.map((m) => {
            const current = m.id === currentId;
            return (
              <li
                key={m.id}
                className={current ? 'current' : undefined}
                data-testid="saved-neural-model"
              >
                <div className="fit-list-main">
                  <strong>{m.label}</strong>
                  {current ? <span className="tag">open</span> : null}
                  <div className="muted small">
                    held-out RMSE{' '}
                    {m.training.pkRmse === null
                      ? '—'
                      : `${formatNumber(m.training.pkRmse, 3)} mg/L`}{' '}
                    ·{' '}
                    {m.training.pdRmse === null
                      ? '—'
                      : `${formatNumber(m.training.pdRmse, 3)} ng/mL`}{' '}
                    · {new Date(m.createdAt).toLocaleString()}
                  </div>
                </div>
                <div className="row">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => select(m.id)}
                    disabled={current}
                    aria-label={`Open ${m.label}`}
                  >
                    Open
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void onExport(m.id)}
                    aria-label={`Export ${m.label} as a file`}
                  >
                    Export
                  </button>
                  <button
                    type="button"
                    className="secondary danger"
                    onClick={() => {
                      if (window.confirm(`Delete the saved model "${m.label}"?`)) void remove(m.id);
                    }}
                    aria-label={`Delete ${m.label}`}
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
