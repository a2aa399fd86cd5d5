import type { ImportResult } from './types';

/**
 * The outcome the importer promises for any text, checked independently of it for the fuzz
 * tests (importNonmem.fuzz.test.ts). Test support only.
 */

/** The file's lines as the importer numbers them: any of LF, CRLF and CR ends a line. */
export function fileLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/);
}

/** The message of the importer's last-resort catch: reaching it means the importer crashed. */
export const CRASH_MESSAGE = /importer failed unexpectedly/;

/** Separators a problem's value may not contain for it to be looked up in its line. */
const HAS_SEPARATOR = /[\s,;"]/;

/** A reference reading of a quote-free text: its header and data lines as trimmed cells. */
interface ReferenceTable {
  readonly header: string[];
  readonly rows: { line: number; cells: string[] }[];
}

/**
 * Reads a text without quotes by the rule the importer documents, independently of it: the
 * delimiter is the one under which the first non-blank line splits into `columns`, and every
 * later line with a non-empty cell is a row. Null when no delimiter gives those columns.
 */
function referenceTable(text: string, columns: readonly string[]): ReferenceTable | null {
  const lines = fileLines(text);
  const splitters: ((line: string) => string[])[] = [
    (l) => l.split(',').map((v) => v.trim()),
    (l) => l.split('\t').map((v) => v.trim()),
    (l) => l.split(';').map((v) => v.trim()),
    (l) =>
      l.trim() === ''
        ? ['']
        : l
            .trim()
            .split(/[ \t]+/)
            .map((v) => v.trim()),
  ];
  for (const split of splitters) {
    const cells = lines.map(split);
    const isBlank = (c: string[]) => c.every((v) => v === '');
    const h = cells.findIndex((c) => !isBlank(c));
    if (h < 0) return null;
    const header = cells[h];
    const named = header.slice(0, columns.length);
    if (named.join('\u0000') !== columns.join('\u0000')) continue;
    if (header.slice(columns.length).some((v) => v !== '')) continue;
    const rows: { line: number; cells: string[] }[] = [];
    for (let i = h + 1; i < cells.length; i++) {
      if (!isBlank(cells[i])) rows.push({ line: i + 1, cells: cells[i] });
    }
    return { header, rows };
  }
  return null;
}

/**
 * The outcome the importer promises for any text: no crash, and either a data set holding
 * every data row of the file, exactly as written, or a refusal whose every problem points at a
 * line of the file (and, when it quotes a value or names a column, one that is there).
 */
export function expectFullOrLocated(text: string, result: ImportResult): void {
  const lines = fileLines(text);
  if (!result.ok) {
    if (result.problems.length === 0) throw new Error('refused without a problem');
    for (const p of result.problems) {
      if (CRASH_MESSAGE.test(p.message)) throw new Error(`the importer crashed: ${p.message}`);
      if (!(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines.length)) {
        throw new Error(`problem on line ${p.line} of a ${lines.length}-line file: ${p.message}`);
      }
      if (p.message.trim() === '') throw new Error(`problem on line ${p.line} says nothing`);
      if (text.includes('"')) continue;
      const at = lines[p.line - 1];
      const value = p.value;
      if (value !== undefined && !value.endsWith('…') && !HAS_SEPARATOR.test(value)) {
        if (!at.includes(value)) {
          throw new Error(`problem quotes "${value}", not on its line ${p.line}: ${p.message}`);
        }
      }
      if (p.column !== undefined && !HAS_SEPARATOR.test(p.column)) {
        if (!lines.some((l) => l.includes(p.column as string))) {
          throw new Error(`problem names column "${p.column}", not in the file: ${p.message}`);
        }
      }
    }
    return;
  }

  const { dataset, warnings } = result;
  const { records, subjects, columns } = dataset;
  if (records.length === 0) throw new Error('loaded with no records');
  for (const w of warnings) {
    if (!(Number.isInteger(w.line) && w.line >= 1 && w.line <= lines.length)) {
      throw new Error(`warning on line ${w.line} of a ${lines.length}-line file: ${w.message}`);
    }
  }
  let previous = 0;
  for (const r of records) {
    const where = `record on line ${r.line}`;
    if (!(Number.isInteger(r.line) && r.line > previous && r.line <= lines.length)) {
      throw new Error(`${where}: lines out of order or outside the file`);
    }
    previous = r.line;
    if (!(Number.isFinite(r.time) && r.time >= 0)) throw new Error(`${where}: TIME ${r.time}`);
    if (r.dv !== null && !Number.isFinite(r.dv)) throw new Error(`${where}: DV ${r.dv}`);
    if (!Number.isFinite(r.amt)) throw new Error(`${where}: AMT ${r.amt}`);
    if (r.cells.length !== columns.length) throw new Error(`${where}: ${r.cells.length} cells`);
  }
  // Every record is accounted for: a dose, an observation, or a record of neither kind.
  for (const s of subjects) {
    const own = records.filter((r) => r.id === s.id);
    const doses = own.filter((r) => r.evid === 1 || r.evid === 3 || r.evid === 4).length;
    const obs = own.filter((r) => r.evid === 0 && r.mdv === 0 && r.dv !== null).length;
    if (s.doses.length !== doses || s.observations.length !== obs) {
      throw new Error(
        `subject ${s.id}: ${s.doses.length} doses and ${s.observations.length} observations for ${doses} and ${obs} records`,
      );
    }
    for (const value of Object.values(s.covariates)) {
      if (!Number.isFinite(value)) throw new Error(`subject ${s.id}: covariate ${value}`);
    }
  }
  if (
    subjects.reduce((n, s) => n + records.filter((r) => r.id === s.id).length, 0) !== records.length
  ) {
    throw new Error('records of no subject');
  }
  if (text.includes('"')) return;
  // Loaded in full: every data line of the file is a record, with the cells written there.
  const reference = referenceTable(text, columns);
  if (reference === null)
    throw new Error(`no delimiter splits the header into ${columns.join('|')}`);
  if (reference.rows.length !== records.length) {
    const loaded = new Set(records.map((r) => r.line));
    const left = reference.rows.find((row) => !loaded.has(row.line));
    throw new Error(
      `loaded ${records.length} of ${reference.rows.length} data lines` +
        (left ? `; line ${left.line} is missing` : ''),
    );
  }
  reference.rows.forEach((row, i) => {
    const r = records[i];
    const cells = row.cells.slice(0, columns.length);
    const extra = row.cells.slice(columns.length);
    if (r.line !== row.line || extra.some((v) => v !== '')) {
      throw new Error(`record ${i + 1} is line ${r.line}, the data line is ${row.line}`);
    }
    if (cells.join('\u0000') !== r.cells.join('\u0000')) {
      throw new Error(
        `line ${row.line} loaded as [${r.cells.join('|')}], written [${cells.join('|')}]`,
      );
    }
  });
}
