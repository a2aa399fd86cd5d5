import fs from 'node:fs';
import { isCompareCell, taskKey } from '../core/compare/cells';
import type { CompareCell, ComparePlan } from '../core/compare/types';

/**
 * `compare --cells <file>`: the finished cells of a sweep as JSON lines, so that a long sweep
 * (the full profile takes hours) survives an interruption and resumes where it stopped. The
 * first line names the plan (profile, data fingerprint, folds, seeds, task count); every other
 * line is one cell, appended as its task finishes. A file of another plan or other data is
 * refused, never mixed in; a last line cut short by a kill is dropped (that task runs again).
 */

const KIND = 'pkpd-compare-cells';
const VERSION = 1;

interface CellsHeader {
  readonly kind: typeof KIND;
  readonly version: number;
  readonly profile: string;
  readonly dataLabel: string;
  readonly dataFingerprint: string;
  readonly folds: number;
  readonly seeds: readonly number[];
  readonly tasks: number;
}

/** What names a plan, in a cells file's header and in `compare --json`. */
export function planIdentity(plan: ComparePlan) {
  return {
    profile: plan.profile,
    dataLabel: plan.dataLabel,
    dataFingerprint: plan.dataFingerprint,
    folds: plan.folds,
    seeds: plan.seeds,
    tasks: plan.tasks.length,
  };
}

function headerOf(plan: ComparePlan): CellsHeader {
  return { kind: KIND, version: VERSION, ...planIdentity(plan) };
}

/** What a cells file holds for a plan: the cells of its tasks, or why it cannot be used. */
export type CellsFileRead =
  | { readonly ok: true; readonly cells: CompareCell[]; readonly dropped: number }
  | { readonly ok: false; readonly message: string };

/**
 * The cells `file` holds for `plan`. A missing or empty file holds none. Refused: a header of
 * another plan or other data, a cell of a task the plan does not have, a malformed line before
 * the last. Of two cells of the same task the first is kept.
 */
export function readCellsFile(file: string, plan: ComparePlan): CellsFileRead {
  if (!fs.existsSync(file)) return { ok: true, cells: [], dropped: 0 };
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) return { ok: true, cells: [], dropped: 0 };
  let header: Partial<CellsHeader>;
  try {
    header = JSON.parse(lines[0]) as Partial<CellsHeader>;
  } catch {
    return {
      ok: false,
      message: `${file} is not a cells file of compare (its first line is not JSON).`,
    };
  }
  if (header.kind !== KIND) {
    return { ok: false, message: `${file} is not a cells file of compare.` };
  }
  const want = headerOf(plan);
  const differs: string[] = [];
  if (header.version !== VERSION) differs.push(`version ${header.version}, not ${VERSION}`);
  if (header.dataFingerprint !== want.dataFingerprint) differs.push('other data');
  if (header.profile !== want.profile)
    differs.push(`profile ${header.profile}, not ${want.profile}`);
  if (header.folds !== want.folds) differs.push(`${header.folds} folds, not ${want.folds}`);
  if (JSON.stringify(header.seeds) !== JSON.stringify(want.seeds)) {
    differs.push(`seeds ${JSON.stringify(header.seeds)}, not ${JSON.stringify(want.seeds)}`);
  }
  if (header.tasks !== want.tasks) differs.push(`${header.tasks} tasks, not ${want.tasks}`);
  if (differs.length > 0) {
    return {
      ok: false,
      message: `${file} holds cells of another comparison (${differs.join('; ')}); give another --cells file or remove it.`,
    };
  }
  const planned = new Set(plan.tasks.map(taskKey));
  const seen = new Set<string>();
  const cells: CompareCell[] = [];
  let dropped = 0;
  for (let i = 1; i < lines.length; i++) {
    let cell: unknown;
    try {
      cell = JSON.parse(lines[i]);
    } catch {
      cell = undefined;
    }
    if (!isCompareCell(cell)) {
      // A kill while a line was written leaves the last line cut short: that task runs again.
      if (i === lines.length - 1) {
        dropped++;
        continue;
      }
      return { ok: false, message: `${file}, line ${i + 1}: not a cell of compare.` };
    }
    const id = taskKey(cell);
    if (!planned.has(id)) {
      return {
        ok: false,
        message: `${file}, line ${i + 1}: a cell of a task the plan does not have (${id}).`,
      };
    }
    if (seen.has(id)) continue;
    seen.add(id);
    cells.push(cell);
  }
  return { ok: true, cells, dropped };
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
  const body = [JSON.stringify(headerOf(plan)), ...kept.map((c) => JSON.stringify(c))];
  fs.writeFileSync(file, body.join('\n') + '\n');
  return (cell) => fs.appendFileSync(file, JSON.stringify(cell) + '\n');
}
