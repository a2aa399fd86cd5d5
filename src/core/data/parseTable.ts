import Papa from 'papaparse';
import type { DataProblem } from './types';

export type Delimiter = ',' | '\t' | ';' | 'whitespace';

/** A delimited text file split into trimmed cells, every row tagged with its line. */
export interface ParsedTable {
  readonly delimiter: Delimiter;
  /** Line of the header (1 unless the file starts with blank lines). */
  readonly headerLine: number;
  readonly header: string[];
  /** Data rows with at least one non-empty cell, in file order. */
  readonly rows: string[][];
  /** 1-based line on which each row starts, aligned with `rows`. */
  readonly lines: number[];
  /** Parser-level problems (unclosed quotes). */
  readonly problems: DataProblem[];
}

/** How much of the file the binary check reads: enough to see a header and many rows. */
const BINARY_SAMPLE_CHARS = 65_536;
/**
 * Share of control or undecodable characters above which a file is called binary. Text files
 * have none; a spreadsheet or archive decoded as UTF-8 has far more than this.
 */
const BINARY_FRACTION = 0.05;

/** UTF-8 length without encoding the text (a 50 MB string need not be copied to be measured). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : `${(bytes / 1024).toFixed(1)} kB`;
}

/** Refuses what is not a delimited text file worth parsing: too large, binary, empty. */
export function checkText(text: string, maxBytes: number): DataProblem | null {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so only texts near the limit need measuring.
  if (text.length * 3 > maxBytes) {
    const bytes = utf8ByteLength(text);
    if (bytes > maxBytes) {
      return {
        line: 1,
        message: `The file is ${formatBytes(bytes)}; the limit is ${formatBytes(maxBytes)}. Split it or remove unused columns.`,
      };
    }
  }
  if (text.startsWith('PK\u0003\u0004')) {
    return {
      line: 1,
      message:
        'This is a zip archive (an .xlsx workbook?), not a text file: save it as CSV and load that.',
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    // The whole file is in another encoding: that is said at its first line.
    if (isUtf16(text)) {
      return {
        line: 1,
        message:
          'The file is UTF-16 text (Excel\'s "Unicode Text"), which is read as bytes here: save it as CSV UTF-8 and load that.',
      };
    }
    return {
      line: lineAt(text, nul),
      message: 'The file contains NUL bytes: it is binary, not a delimited text file.',
    };
  }
  const sample = text.slice(0, BINARY_SAMPLE_CHARS);
  let odd = 0;
  let firstOdd = -1;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    // Control characters other than tab, LF and CR, DEL, and U+FFFD (bytes that were not UTF-8).
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127 || c === 0xfffd) {
      if (odd++ === 0) firstOdd = i;
    }
  }
  if (sample.length > 0 && odd / sample.length > BINARY_FRACTION) {
    return {
      line: lineAt(text, firstOdd),
      message: `The file looks binary (${Math.round((100 * odd) / sample.length)}% of its first characters are not text); load a CSV or tab-separated text file.`,
    };
  }
  if (text.replace(/^\uFEFF/, '').trim() === '') return { line: 1, message: 'The file is empty.' };
  return null;
}

/**
 * UTF-16 text read as UTF-8: every ASCII character is followed (little-endian) or preceded
 * (big-endian) by a NUL, so about half of the first characters are NULs, all at one parity.
 */
function isUtf16(text: string): boolean {
  const sample = text.slice(0, 512);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample.charCodeAt(i) === 0) {
      if (i % 2 === 0) even++;
      else odd++;
    }
  }
  return Math.max(even, odd) >= 0.4 * sample.length && Math.min(even, odd) === 0;
}

/** The 1-based line of a character, counting LF, CRLF and a lone CR as one line end each. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

/**
 * Picks the separator from the header line, where names cannot contain one: the most frequent
 * of comma, tab and semicolon (outside quotes), else runs of spaces (NONMEM's own tables).
 */
export function detectDelimiter(headerLine: string): Delimiter {
  // A quoted name stands for one word: removed it could hide the spaces between names (R's
  // write.table writes "ID" "TIME" "DV").
  const unquoted = headerLine.replace(/"[^"]*"/g, 'x');
  const candidates: Exclude<Delimiter, 'whitespace'>[] = [',', '\t', ';'];
  let best: Delimiter = ',';
  let bestCount = 0;
  for (const d of candidates) {
    const n = unquoted.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  if (bestCount === 0 && /\S\s+\S/.test(unquoted.trim())) return 'whitespace';
  return best;
}

/** Runs of spaces/tabs outside quotes become one space; line ends are kept, so lines still count. */
function collapseWhitespace(text: string): string {
  return text
    .replace(/^[ \t]+|[ \t]+$/gm, '')
    .replace(/"[^"\n]*"|[ \t]+/g, (m) => (m[0] === '"' ? m : ' '));
}

function countNewlines(row: readonly string[]): number {
  let n = 0;
  for (const cell of row) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Parses text (BOM and CR/CRLF line ends allowed) with papaparse. Blank lines are dropped but
 * counted, so every row keeps the line it came from.
 */
export function parseTable(rawText: string): ParsedTable {
  let text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  // Mixed line ends would confuse papaparse's newline guess; NONMEM files come from everywhere.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');

  const firstContent = text.search(/\S/);
  const firstLineStart = firstContent < 0 ? 0 : text.lastIndexOf('\n', firstContent) + 1;
  const firstLineEnd = text.indexOf('\n', firstLineStart);
  const headerText = text.slice(firstLineStart, firstLineEnd < 0 ? text.length : firstLineEnd);
  const delimiter = detectDelimiter(headerText);
  if (delimiter === 'whitespace') text = collapseWhitespace(text);

  const parsed = Papa.parse<string[]>(text, {
    delimiter: delimiter === 'whitespace' ? ' ' : delimiter,
    newline: '\n',
    header: false,
    skipEmptyLines: false,
    quoteChar: '"',
  });

  const hasQuotes = text.includes('"');
  const rowLines: number[] = new Array<number>(parsed.data.length);
  let line = 1;
  for (let i = 0; i < parsed.data.length; i++) {
    rowLines[i] = line;
    line += 1 + (hasQuotes ? countNewlines(parsed.data[i]) : 0);
  }

  const problems: DataProblem[] = [];
  for (const e of parsed.errors) {
    const at = e.row !== undefined && e.row < rowLines.length ? rowLines[e.row] : 1;
    problems.push({
      line: at,
      message:
        e.code === 'MissingQuotes'
          ? 'A quoted value is not closed (a " is missing); everything after it was read as one value.'
          : `The file could not be split into values here: ${e.message}.`,
    });
  }

  let header: string[] = [];
  let headerLine = 1;
  const rows: string[][] = [];
  const lines: number[] = [];
  let seenHeader = false;
  for (let i = 0; i < parsed.data.length; i++) {
    const row = parsed.data[i];
    let blank = true;
    for (let c = 0; c < row.length; c++) {
      const v = row[c].trim();
      row[c] = v;
      if (v !== '') blank = false;
    }
    if (blank) continue;
    if (!seenHeader) {
      header = row;
      headerLine = rowLines[i];
      seenHeader = true;
      continue;
    }
    rows.push(row);
    lines.push(rowLines[i]);
  }
  return { delimiter, headerLine, header, rows, lines, problems };
}
