import type { CompareRow } from './types';

/**
 * The comparison's rows as CSV (RFC 4180): a header, then one line per row; numbers as
 * JavaScript writes them (unrounded), an empty field for a missing value, text quoted when it
 * holds a comma, a quote, a line break or surrounding spaces (quotes doubled). Lines end in
 * CRLF, as the RFC says; spreadsheets and CSV readers take either.
 */

type Cell = string | number | null;

const COLUMNS: readonly [string, (r: CompareRow) => Cell][] = [
  ['key', (r) => r.key],
  ['label', (r) => r.label],
  ['kind', (r) => r.kind],
  ['framework', (r) => r.framework],
  ['encoder', (r) => r.encoder],
  ['head', (r) => r.head],
  ['inputs', (r) => r.inputs],
  ['group', (r) => r.group],
  ['qubits', (r) => r.qubits],
  ['qlayers', (r) => r.qlayers],
  ['parameters', (r) => r.parameters],
  ['quantumParameters', (r) => r.quantumParameters],
  ['pkRmseMgPerL', (r) => r.pkRmse?.mean ?? null],
  ['pkRmseSd', (r) => r.pkRmse?.sd ?? null],
  ['pkCells', (r) => r.pkRmse?.n ?? null],
  ['pdRmseNgPerMl', (r) => r.pdRmse?.mean ?? null],
  ['pdRmseSd', (r) => r.pdRmse?.sd ?? null],
  ['pdCells', (r) => r.pdRmse?.n ?? null],
  ['trainSeconds', (r) => r.trainSeconds],
  ['predictMsPer1000', (r) => r.predictMsPer1000],
  ['outcomeAccuracy', (r) => r.outcomeAccuracy],
  ['cellsDone', (r) => r.cellsDone],
  ['cellsPlanned', (r) => r.cellsPlanned],
];

/** One CSV field. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function rowsToCsv(rows: readonly CompareRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const r of rows) lines.push(COLUMNS.map(([, get]) => csvField(get(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}
