/**
 * A cell read as a number: a finite number, null for missing (`.` or empty, NONMEM's and
 * Excel's spellings), or why it is not a number.
 */
export type NumberCell = number | null | 'non-finite' | 'not-a-number';

// Plain decimal or scientific notation only: Number() would also take "0x1F", "1_000" or " ".
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Decimal comma ("0,5"), accepted only in semicolon-separated files where a comma cannot be
// the field separator (the usual European spreadsheet export).
const DECIMAL_COMMA = /^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity|1\.#inf|1\.#ind|#num!|#div\/0!)$/i;

/** Reads a trimmed cell. */
export function readNumber(cell: string, decimalComma = false): NumberCell {
  if (cell === '' || cell === '.') return null;
  if (DECIMAL.test(cell)) {
    const v = Number(cell);
    // "1e999" parses to Infinity.
    return Number.isFinite(v) ? v : 'non-finite';
  }
  if (decimalComma && DECIMAL_COMMA.test(cell)) return Number(cell.replace(',', '.'));
  if (NON_FINITE.test(cell)) return 'non-finite';
  return 'not-a-number';
}
