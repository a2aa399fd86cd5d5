import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { version as appVersion } from '../../../package.json';
import { useWorkbench } from '../../state/store';
import { downloadText } from '../components/download';
import { doseReportBody, doseReportFileName, doseReportHtml } from './doseReport';
import { doseReportInput } from './reportInput';
import { REPORT_CSS } from './reportStyles';
import './reportPrint.css';

/** Class on <html> while the app prints the report: only the report is printed. */
const PRINTING_CLASS = 'printing-dose-report';

let adopted = false;

/**
 * Gives the page the report's stylesheet (once): constructed and adopted through the CSSOM,
 * which the Content-Security-Policy allows, where an inline <style> would be refused.
 */
function adoptReportStyles(): void {
  if (adopted) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(REPORT_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  adopted = true;
}

/**
 * The find-dose answer as a report: downloaded as one self-contained HTML file, or printed
 * (and saved as PDF) from the browser's print dialog. Printing renders the same report inside
 * the app, in an element that only the print stylesheet shows: it needs no pop-up window (which
 * blockers stop), no network, and no inline style or script for the app's
 * Content-Security-Policy to refuse — a new window or an iframe with the report would inherit
 * that policy and lose the report's inline CSS. The downloaded file prints the same way from
 * any browser, with no app around it.
 */
export function DoseReportActions() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The report being printed; `id` tells two requests for the same text apart. */
  const [printing, setPrinting] = useState<{ html: string; id: number } | null>(null);
  /** The request the print dialog was opened for (an effect may run twice in development). */
  const printed = useRef(0);

  useEffect(() => {
    if (printing === null) return;
    adoptReportStyles();
    const root = document.documentElement;
    root.classList.add(PRINTING_CLASS);
    const done = () => setPrinting(null);
    window.addEventListener('afterprint', done);
    if (printed.current !== printing.id) {
      printed.current = printing.id;
      window.print();
    }
    return () => {
      window.removeEventListener('afterprint', done);
      root.classList.remove(PRINTING_CLASS);
    };
  }, [printing]);

  const make = async (
    then: (input: NonNullable<Awaited<ReturnType<typeof doseReportInput>>>) => void,
  ) => {
    setBusy(true);
    setError(null);
    try {
      const input = await doseReportInput(useWorkbench.getState(), appVersion);
      if (!input) setError('Find a dose first: the report describes the last answer.');
      else then(input);
    } catch (err) {
      setError(
        `The report could not be written (${err instanceof Error ? err.message : String(err)}).`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="secondary small"
        disabled={busy}
        onClick={() =>
          void make((input) =>
            downloadText(doseReportFileName(input.generatedAt), doseReportHtml(input), 'text/html'),
          )
        }
        data-testid="dosing-report-download"
      >
        Download report (HTML)
      </button>
      <button
        type="button"
        className="secondary small"
        disabled={busy}
        onClick={() =>
          void make((input) =>
            setPrinting({ html: doseReportBody(input).value, id: printed.current + 1 }),
          )
        }
        data-testid="dosing-report-print"
      >
        Print / save as PDF
      </button>
      {error ? (
        <span className="alert error small" role="alert" data-testid="dosing-report-error">
          {error}
        </span>
      ) : null}
      {printing !== null
        ? createPortal(
            <div
              className="dose-report-print"
              data-testid="dosing-report-print-view"
              // The report is built by doseReportBody, which escapes every user or data text.
              dangerouslySetInnerHTML={{ __html: printing.html }}
            />,
            document.body,
          )
        : null}
    </>
  );
}
