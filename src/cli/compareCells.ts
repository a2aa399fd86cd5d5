import fs from 'node:fs';
import { cellsFileText, readCellsText, type CellsFileRead } from '../core/compare/cellsFile';
import type { CompareCell, ComparePlan } from '../core/compare/types';

export { planIdentity } from '../core/compare/cellsFile';

/**
 * `compare --cells <file>`: the finished cells of a sweep as JSON lines (core/compare/cellsFile),
 * so that a long sweep (the full profile takes hours) survives an interruption and resumes where
 * it stopped. The Compare panel opens and saves the same files.
 */

/** What `file` holds for `plan`; a missing or empty file holds no cells. */
export function readCellsFile(file: string, plan: ComparePlan): CellsFileRead {
  if (!fs.existsSync(file)) return { ok: true, cells: [], dropped: 0 };
  return readCellsText(
    fs.readFileSync(file, 'utf8'),
    plan,
    file,
    'give another --cells file or remove it',
  );
}

/**
 * Opens `file` for appending the plan's cells: writes the header when the file is new or empty
 * and rewrites it without a cut-short last line. Returns the function that appends one cell.
 */
export function openCellsFile(
  file: string,
  plan: ComparePlan,
  kept: readonly CompareCell[],
): (cell: CompareCell) => void {
  fs.writeFileSync(file, cellsFileText(plan, kept));
  return (cell) => fs.appendFileSync(file, JSON.stringify(cell) + '\n');
}
