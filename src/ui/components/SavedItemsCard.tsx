import { useId, useState, type ReactNode } from 'react';
import { downloadText } from './download';

/** One saved thing in the list: what it is called, whether it is open, and a line about it. */
export interface SavedItem {
  readonly id: string;
  readonly label: string;
  /** The item now open: tagged, and its Open button is disabled. */
  readonly current: boolean;
  /** The muted line under the label. */
  readonly details: ReactNode;
  /** Disables Open for another reason than being open already (a fit running, say). */
  readonly openDisabled?: boolean;
}

/** The outcome of the last import or export, as the store words it. */
export interface SavedItemsFileMessage {
  readonly kind: 'ok' | 'error';
  readonly text: string;
  /** For a file that was refused: what is wrong, field by field. */
  readonly problems?: readonly string[];
}

export interface SavedItemsTestIds {
  readonly card: string;
  readonly importInput: string;
  readonly fileMessage: string;
  readonly empty: string;
  readonly item: string;
}

export interface SavedItemsCardProps {
  readonly title: string;
  /** The text of the button that opens the file picker ('Import a fit file…'). */
  readonly importLabel: string;
  /** The file input's `accept`. */
  readonly accept: string;
  /** Files larger than this are refused before reading (MB). */
  readonly maxImportMb: number;
  readonly testIds: SavedItemsTestIds;
  readonly description: ReactNode;
  /** Why items cannot be kept across reloads, when they cannot. */
  readonly storageMessage: string | null;
  readonly fileMessage: SavedItemsFileMessage | null;
  /** Shown instead of the list when there are no items ('No saved fits yet.'). */
  readonly emptyText: string;
  /** The list's accessible name. */
  readonly listLabel: string;
  readonly items: readonly SavedItem[];
  /** The question asked before deleting an item. */
  readonly deleteQuestion: (label: string) => string;
  readonly onImport: (fileName: string, text: string) => Promise<void>;
  readonly onOpen: (id: string) => void;
  /** The file to download for an item, or null when there is none (the store says why). */
  readonly onExport: (id: string) => Promise<{ fileName: string; text: string } | null>;
  readonly onDelete: (id: string) => Promise<void>;
}

/**
 * A card of things kept in this browser (fits, neural models): import a file, and open,
 * export or delete each saved item.
 */
export function SavedItemsCard(props: SavedItemsCardProps) {
  const { title, importLabel, accept, maxImportMb, testIds, items } = props;
  const { storageMessage, fileMessage } = props;
  const id = useId();
  const [readError, setReadError] = useState<string | null>(null);

  async function onFile(file: File) {
    setReadError(null);
    if (file.size > maxImportMb * 1e6) {
      setReadError(
        `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; the limit is ${maxImportMb} MB.`,
      );
      return;
    }
    try {
      await props.onImport(file.name, await file.text());
    } catch (err) {
      setReadError(`Could not read ${file.name}: ${String(err)}`);
    }
  }

  async function onExport(itemId: string) {
    const file = await props.onExport(itemId);
    if (file) downloadText(file.fileName, file.text);
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid={testIds.card}>
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          {title}
        </h2>
        <span className="spacer" />
        <label className="button secondary-button" htmlFor={`${id}-import`}>
          {importLabel}
        </label>
        <input
          id={`${id}-import`}
          type="file"
          accept={accept}
          className="visually-hidden"
          data-testid={testIds.importInput}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void onFile(file);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <p className="muted small">{props.description}</p>
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
          data-testid={testIds.fileMessage}
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
      {items.length === 0 ? (
        <p className="muted" data-testid={testIds.empty}>
          {props.emptyText}
        </p>
      ) : (
        <ul className="fit-list" aria-label={props.listLabel}>
          {items.map((item) => (
            <li
              key={item.id}
              className={item.current ? 'current' : undefined}
              data-testid={testIds.item}
            >
              <div className="fit-list-main">
                <strong>{item.label}</strong>
                {item.current ? <span className="tag">open</span> : null}
                <div className="muted small">{item.details}</div>
              </div>
              <div className="row">
                <button
                  type="button"
                  className="secondary"
                  onClick={() => props.onOpen(item.id)}
                  disabled={item.current || item.openDisabled}
                  aria-label={`Open ${item.label}`}
                >
                  Open
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void onExport(item.id)}
                  aria-label={`Export ${item.label} as a file`}
                >
                  Export
                </button>
                <button
                  type="button"
                  className="secondary danger"
                  onClick={() => {
                    if (window.confirm(props.deleteQuestion(item.label)))
                      void props.onDelete(item.id);
                  }}
                  aria-label={`Delete ${item.label}`}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
