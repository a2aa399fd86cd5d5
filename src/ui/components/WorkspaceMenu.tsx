import { useId, useState } from 'react';
import { useWorkbench } from '../../state/store';
import {
  exportWorkspace,
  hasWorkspaceContent,
  importWorkspace,
  parseWorkspace,
  workspaceFileName,
  WorkspaceFileError,
} from '../../state/workspace';
import { downloadText } from './download';

/** Session storage key: the file an import reloaded the page on, for the page to say so once. */
const IMPORTED_KEY = 'pkpd-workspace-imported';

/** The import that reloaded this page, said once. */
function importedNotice(): Message | null {
  try {
    const name = sessionStorage.getItem(IMPORTED_KEY);
    if (name === null) return null;
    sessionStorage.removeItem(IMPORTED_KEY);
    return { kind: 'ok', text: `Workspace imported from ${name}.` };
  } catch {
    return null;
  }
}

type Message =
  | { readonly kind: 'ok' | 'busy'; readonly text: string }
  | { readonly kind: 'error'; readonly text: string; readonly problems?: readonly string[] };

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What an import would replace, in words, for the confirmation. */
function replacedContent(): string {
  const s = useWorkbench.getState();
  const parts = [
    s.source?.kind === 'file' ? `the data file ${s.source.name}` : null,
    s.savedFits.length > 0
      ? `${s.savedFits.length} saved fit${s.savedFits.length > 1 ? 's' : ''}`
      : null,
    s.neuralModels.length > 0
      ? `${s.neuralModels.length} neural model${s.neuralModels.length > 1 ? 's' : ''}`
      : null,
    s.compareSweep ? 'the comparison' : null,
  ].filter((p): p is string => p !== null);
  return parts.join(', ');
}

/**
 * The whole workspace as one file, from any panel: Export downloads it; Import checks a file
 * completely, asks before replacing a workspace that holds anything, stores it and reloads the
 * page on it. A refused file is listed problem by problem and changes nothing.
 */
export function WorkspaceMenu() {
  const id = useId();
  const [message, setMessage] = useState<Message | null>(importedNotice);
  const busy = message?.kind === 'busy';

  async function onExport(): Promise<void> {
    setMessage({ kind: 'busy', text: 'Exporting the workspace…' });
    try {
      const file = await exportWorkspace();
      const name = workspaceFileName();
      downloadText(name, JSON.stringify(file));
      setMessage({ kind: 'ok', text: `Exported as ${name}.` });
    } catch (err) {
      setMessage({ kind: 'error', text: `The workspace could not be exported (${reason(err)}).` });
    }
  }

  async function onFile(file: File): Promise<void> {
    setMessage({ kind: 'busy', text: `Reading ${file.name}…` });
    try {
      const text = await file.text();
      // A wrong file is refused before anyone is asked to replace anything.
      parseWorkspace(text);
      const current = useWorkbench.getState();
      if (
        hasWorkspaceContent(current) &&
        !window.confirm(
          `Replace the current workspace (${replacedContent()}) with ${file.name}? What is not exported is lost.`,
        )
      ) {
        setMessage(null);
        return;
      }
      setMessage({
        kind: 'busy',
        text: `Importing ${file.name}… the page reloads when it is stored.`,
      });
      sessionStorage.setItem(IMPORTED_KEY, file.name);
      await importWorkspace(text);
    } catch (err) {
      sessionStorage.removeItem(IMPORTED_KEY);
      setMessage(
        err instanceof WorkspaceFileError
          ? { kind: 'error', text: `${file.name}: ${err.message}`, problems: err.problems }
          : { kind: 'error', text: `${file.name} was not imported: ${reason(err)}` },
      );
    }
  }

  return (
    <>
      <div className="workspace-menu" role="group" aria-label="Workspace file">
        <button
          type="button"
          className="badge-button"
          onClick={() => void onExport()}
          disabled={busy}
          data-testid="workspace-export"
          title="Download the data set, settings, fits, neural models and comparison as one file"
        >
          Export workspace
        </button>
        <label className="button badge-button" htmlFor={`${id}-import`} aria-disabled={busy}>
          Import workspace…
        </label>
        <input
          id={`${id}-import`}
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          disabled={busy}
          data-testid="workspace-import"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void onFile(file);
            e.currentTarget.value = '';
          }}
        />
        {message && message.kind !== 'error' ? (
          <span className="workspace-status" role="status" data-testid="workspace-status">
            {message.text}
          </span>
        ) : null}
      </div>
      {message?.kind === 'error' ? (
        <div
          className="alert error small workspace-alert"
          role="alert"
          data-testid="workspace-error"
        >
          <div className="row">
            <span>{message.text}</span>
            <span className="spacer" />
            <button type="button" className="secondary small" onClick={() => setMessage(null)}>
              Dismiss
            </button>
          </div>
          {message.problems?.length ? (
            <ul>
              {message.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
