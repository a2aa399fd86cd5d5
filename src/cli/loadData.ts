import fs from 'node:fs';
import path from 'node:path';
import { parseColumnsOption } from '../core/data/columns';
import { importNonmem } from '../core/data/importNonmem';
import {
  DEFAULT_MAX_BYTES,
  type ColumnMapping,
  type DataProblem,
  type Dataset,
} from '../core/data/types';

export type LoadOutcome =
  | { readonly ok: true; readonly dataset: Dataset; readonly warnings: readonly DataProblem[] }
  | { readonly ok: false; readonly message: string; readonly problems?: readonly DataProblem[] };

/** UTF-8 unless the file says UTF-16 LE with its byte-order mark (Excel's "Unicode text"). */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return bytes.subarray(2).toString('utf16le');
  }
  return bytes.toString('utf8');
}

/** Reads and imports a NONMEM-style file for a command, with plain-language failures. */
export function loadDatasetFile(file: string, columns?: string): LoadOutcome {
  let mapping: Partial<ColumnMapping> = {};
  try {
    mapping = parseColumnsOption(columns ?? '');
  } catch (err) {
    return { ok: false, message: `--columns: ${err instanceof Error ? err.message : String(err)}` };
  }
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { ok: false, message: `${file} is not a file.` };
    // Refuse before reading: the core would refuse anyway, but only after the memory is spent.
    if (stat.size > DEFAULT_MAX_BYTES) {
      return {
        ok: false,
        message: `${file} is ${(stat.size / 1024 / 1024).toFixed(1)} MB; the limit is ${DEFAULT_MAX_BYTES / 1024 / 1024} MB.`,
      };
    }
    text = decodeText(fs.readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, message: `No such file: ${file}` };
    return {
      ok: false,
      message: `Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const result = importNonmem(text, { name: path.basename(file), mapping });
  if (!result.ok) {
    const n = result.problems.length;
    return {
      ok: false,
      message: `${file} was not loaded: ${n} problem${n === 1 ? '' : 's'}.`,
      problems: result.problems,
    };
  }
  return { ok: true, dataset: result.dataset, warnings: result.warnings };
}
