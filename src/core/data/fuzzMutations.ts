import fc from 'fast-check';
import type { FuzzDelimiter } from './fuzzFiles';

/**
 * The damage the importer's fuzz tests do to generated files (fuzzFiles.ts): truncation, other
 * delimiters, stray characters, bad cells, duplicated names, dropped columns, shuffled lines,
 * other line ends, bytes that are not UTF-8. Test support only.
 */

/** Values that are not a finite number, in the spellings files and spreadsheets use. */
export const NOT_A_NUMBER = [
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  'inf',
  '1e999',
  '-1e400',
  '9'.repeat(400),
  '#DIV/0!',
  '#NUM!',
  '1.#INF',
  'abc',
  '0x1F',
  '1_000',
  '１２',
  '1..2',
  '--1',
  '<script>alert(1)</script>',
] as const;

/** Damage done to a file's text. Positions and indices wrap around the text's size. */
export type Mutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'delimiter'; readonly to: string; readonly line: number | null }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | {
      readonly kind: 'cell';
      readonly line: number;
      readonly column: number;
      readonly value: string;
    }
  | { readonly kind: 'duplicateName'; readonly from: number; readonly to: number }
  | { readonly kind: 'dropColumn'; readonly column: number }
  | { readonly kind: 'repeatHeader'; readonly line: number }
  | { readonly kind: 'deleteLine'; readonly line: number }
  | { readonly kind: 'duplicateLine'; readonly line: number }
  | { readonly kind: 'swapLines'; readonly a: number; readonly b: number }
  | { readonly kind: 'lineEnds'; readonly to: string }
  | { readonly kind: 'replaceAll'; readonly text: string };

/** Short strings of anything: control characters, lone surrogates, BOMs, separators, quotes. */
const junk = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 8 })
    .map((codes) => String.fromCharCode(...codes)),
  fc.constantFrom('"', '""', '\uFEFF', '\u2028', '\u00a0', '\r', '\n', '\t', ';', ',', ' '),
);

const cellValue = fc.oneof(
  fc.constantFrom(...NOT_A_NUMBER),
  fc.constantFrom('', '.', '-1', '0', '1', '5', '1,5', '"', '"1"', '1e308', '1e-320', '-0'),
  fc.double().map(String),
  fc.integer().map(String),
  junk,
  fc.constant('x'.repeat(5000)),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('delimiter' as const),
    to: fc.constantFrom('\t', ';', ' ', '|', ',,', ','),
    line: fc.option(fc.nat(), { nil: null }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: junk }),
  fc.record({
    kind: fc.constant('cell' as const),
    line: fc.nat(),
    column: fc.nat(),
    value: cellValue,
  }),
  fc.record({ kind: fc.constant('duplicateName' as const), from: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('dropColumn' as const), column: fc.nat() }),
  fc.record({ kind: fc.constant('repeatHeader' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('deleteLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('lineEnds' as const),
    to: fc.constantFrom('\n', '\r\n', '\r', '', '\n\n', '\u2028'),
  }),
  fc.record({
    kind: fc.constant('replaceAll' as const),
    text: fc.constantFrom('', ' ', '\uFEFF', '\uFEFF\r\n', '\n\n\n', 'ID,TIME,DV', 'ID,TIME,DV\n'),
  }),
);

/** Splits a line into cells the way the generator joined them (no quoting is undone). */
function cellsOf(line: string, delimiter: FuzzDelimiter): string[] {
  return delimiter === ' ' ? line.split(/(?<=\S)(?=\s)|(?<=\s)(?=\S)/) : line.split(delimiter);
}

function joinCells(cells: readonly string[], delimiter: FuzzDelimiter): string {
  return delimiter === ' ' ? cells.join('') : cells.join(delimiter);
}

/**
 * Applies one mutation to a file's text. Lines are split on any line end and joined again
 * with the text's first one. For whitespace-separated files a "cell" is any run of spaces or
 * non-spaces, so cell mutations there damage separators too.
 */
export function applyMutation(text: string, m: Mutation, delimiter: FuzzDelimiter): string {
  if (m.kind === 'truncate' || m.kind === 'insert' || m.kind === 'replaceAll') {
    return mutateText(text, m);
  }
  // Line mutations leave a BOM where it was: a copied header name does not take it along.
  const bom = text.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  return bom + mutateLines(text.slice(bom.length), m, delimiter);
}

function mutateText(text: string, m: Mutation & { kind: 'truncate' | 'insert' | 'replaceAll' }) {
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'insert': {
      const i = m.at % (text.length + 1);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'replaceAll':
      return m.text;
  }
}

function mutateLines(
  text: string,
  m: Exclude<Mutation, { kind: 'truncate' | 'insert' | 'replaceAll' }>,
  delimiter: FuzzDelimiter,
): string {
  const end = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  const lines = text.split(/\r\n|\r|\n/);
  const at = (i: number) => i % lines.length;
  const header = lines.findIndex((l) => l.trim() !== '');
  const headerAt = header < 0 ? 0 : header;
  switch (m.kind) {
    case 'delimiter': {
      const from = delimiter === ' ' ? /[ ]+/g : delimiter;
      if (m.line === null) return text.replaceAll(from, m.to);
      lines[at(m.line)] = lines[at(m.line)].replaceAll(from, m.to);
      return lines.join(end);
    }
    case 'cell': {
      const cells = cellsOf(lines[at(m.line)], delimiter);
      cells[m.column % cells.length] = m.value;
      lines[at(m.line)] = joinCells(cells, delimiter);
      return lines.join(end);
    }
    case 'duplicateName': {
      const cells = cellsOf(lines[headerAt], delimiter);
      cells[m.to % cells.length] = cells[m.from % cells.length];
      lines[headerAt] = joinCells(cells, delimiter);
      return lines.join(end);
    }
    case 'dropColumn': {
      const column = m.column % cellsOf(lines[headerAt], delimiter).length;
      return lines
        .map((l) => {
          const cells = cellsOf(l, delimiter);
          if (column < cells.length) cells.splice(column, 1);
          return joinCells(cells, delimiter);
        })
        .join(end);
    }
    case 'repeatHeader':
      lines.splice(at(m.line) + 1, 0, lines[headerAt]);
      return lines.join(end);
    case 'deleteLine':
      lines.splice(at(m.line), 1);
      return lines.join(end);
    case 'duplicateLine':
      lines.splice(at(m.line), 0, lines[at(m.line)]);
      return lines.join(end);
    case 'swapLines': {
      const [a, b] = [at(m.a), at(m.b)];
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join(end);
    }
    case 'lineEnds':
      return lines.join(m.to);
  }
}

/** Bytes that are not UTF-8 (stray continuation bytes, Latin-1 letters, overlong forms, BOMs). */
export const badBytes: fc.Arbitrary<number[]> = fc.oneof(
  fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 6 }),
  fc.constantFrom<number[]>(
    [0xe9],
    [0xfc],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xff, 0xfe],
    [0xef, 0xbb],
  ),
);

/** Inserts bytes into the file's UTF-8 and decodes it as the browser's File.text() does. */
export function withBytes(text: string, at: number, bytes: readonly number[]): string {
  const utf8 = new TextEncoder().encode(text);
  const i = at % (utf8.length + 1);
  const damaged = new Uint8Array(utf8.length + bytes.length);
  damaged.set(utf8.subarray(0, i), 0);
  damaged.set(bytes, i);
  damaged.set(utf8.subarray(i), i + bytes.length);
  return new TextDecoder('utf-8').decode(damaged);
}
