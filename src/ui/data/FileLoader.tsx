import { useRef, useState, type DragEvent } from 'react';
import { useWorkbench } from '../../state/store';

/** Files larger than this are refused before reading, with the limit named. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** The first screen: what the workbench does, the demo trial, and a place to drop a file. */
export function FileLoader() {
  const loadText = useWorkbench((s) => s.loadText);
  const loadDemo = useWorkbench((s) => s.loadDemo);
  const source = useWorkbench((s) => s.source);
  const status = useWorkbench((s) => s.status);
  const setActivePanel = useWorkbench((s) => s.setActivePanel);
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);

  async function readFile(file: File) {
    setReadError(null);
    if (file.size > MAX_FILE_BYTES) {
      setReadError(
        `${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB.`,
      );
      return;
    }
    try {
      await loadText(file.name, await file.text());
    } catch (err) {
      setReadError(`Could not read ${file.name}: ${String(err)}`);
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) void readFile(file);
  }

  return (
    <section className="card hero" aria-labelledby="welcome-title">
      <div>
        <h2 id="welcome-title">Which dose, for which population?</h2>
        <p>
          Load NONMEM-style patient data (or use the built-in demo trial), look at concentrations
          and biomarker responses, then tune a dosing regimen and see whether the biomarker stays on
          the right side of your threshold at steady state. Everything runs in this browser: your
          data are not uploaded anywhere.
        </p>
        <div className="row">
          <button
            type="button"
            className={source?.kind === 'demo' ? 'secondary' : undefined}
            onClick={() => void loadDemo()}
            disabled={status === 'loading'}
            data-testid="use-demo"
          >
            {source?.kind === 'demo' ? 'Reload demo trial' : 'Use the demo trial'}
          </button>
          <button type="button" className="secondary" onClick={() => setActivePanel('regimen')}>
            Explore a regimen →
          </button>
        </div>
      </div>
      <div
        className={`dropzone${dragging ? ' active' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          <strong>Drop a data file here</strong>
          <br />
          <span className="muted small">CSV, TSV or semicolon-separated; NONMEM columns</span>
        </p>
        <label className="button" htmlFor="data-file-input" style={{ display: 'inline-block' }}>
          Choose a file…
        </label>
        <input
          ref={inputRef}
          id="data-file-input"
          data-testid="file-input"
          type="file"
          accept=".csv,.tsv,.txt,.dat,text/csv,text/plain"
          className="visually-hidden"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void readFile(file);
            e.currentTarget.value = '';
          }}
        />
        {readError ? (
          <p className="alert error small" role="alert" style={{ marginTop: '0.6rem' }}>
            {readError}
          </p>
        ) : null}
      </div>
    </section>
  );
}
