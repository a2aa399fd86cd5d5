import { isCompareCell, taskKey } from './cells';
import { DEFAULT_COMPARE_THRESHOLD } from './profiles';
import type { CompareCell, ComparePlan, CompareProfileName } from './types';

/**
 * A sweep's cells as text, JSON lines: the first line names the plan (profile, data
 * fingerprint, folds, seeds, task count, outcome threshold), every other line is one cell. The
 * command line appends to such a file as tasks finish (`compare --cells`, so that a sweep of
 * hours survives an interruption), and the Compare panel saves and opens the same files: a
 * sweep run by the command line can be read in the app and resumed there, and the other way
 * round. A file of another plan or other data is refused, never mixed in; a last line cut short
 * by a kill is dropped (that task runs again).
 */

export const CELLS_FILE_KIND = 'pkpd-compare-cells';
const VERSION = 1;

export interface CellsHeader {
  readonly kind: typeof CELLS_FILE_KIND;
  readonly version: number;
  readonly profile: CompareProfileName;
  readonly dataLabel: string;
  readonly dataFingerprint: string;
  readonly folds: number;
  readonly seeds: readonly number[];
  readonly tasks: number;
  /** Absent in files written before it was recorded: those used the default threshold. */
  readonly threshold?: ComparePlan['threshold'];
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

export function cellsHeaderOf(plan: ComparePlan): CellsHeader {
  return {
    kind: CELLS_FILE_KIND,
    version: VERSION,
    ...planIdentity(plan),
    threshold: plan.threshold,
  };
}

/** The text of a cells file holding `cells` of `plan`. */
export function cellsFileText(plan: ComparePlan, cells: readonly CompareCell[]): string {
  return [cellsHeaderOf(plan), ...cells].map((v) => JSON.stringify(v)).join('\n') + '\n';
}

/** A cells file's header, or why the text is not a cells file (`name` names it in messages). */
export function readCellsHeader(
  text: string,
  name: string,
):
  | { readonly ok: true; readonly header: CellsHeader }
  | { readonly ok: false; readonly message: string } {
  const first = text.split('\n', 1)[0] ?? '';
  let header: Partial<CellsHeader>;
  try {
    header = JSON.parse(first) as Partial<CellsHeader>;
  } catch {
    return {
      ok: false,
      message: `${name} is not a cells file of compare (its first line is not JSON).`,
    };
  }
  if (typeof header !== 'object' || header === null || header.kind !== CELLS_FILE_KIND) {
    return { ok: false, message: `${name} is not a cells file of compare.` };
  }
  if (header.version !== VERSION) {
    return {
      ok: false,
      message: `${name} is a cells file of version ${String(header.version)}; this version reads ${VERSION}.`,
    };
  }
  if (
    (header.profile !== 'quick' && header.profile !== 'full') ||
    typeof header.dataFingerprint !== 'string' ||
    typeof header.dataLabel !== 'string' ||
    !Number.isInteger(header.folds) ||
    !Array.isArray(header.seeds) ||
    !header.seeds.every((s) => Number.isInteger(s)) ||
    !Number.isInteger(header.tasks)
  ) {
    return {
      ok: false,
      message: `${name}: the first line does not name a comparison (profile, data, folds, seeds, tasks).`,
    };
  }
  return { ok: true, header: header as CellsHeader };
}

/** What a cells file holds for a plan: the cells of its tasks, or why it cannot be used. */
export type CellsFileRead =
  | { readonly ok: true; readonly cells: CompareCell[]; readonly dropped: number }
  | { readonly ok: false; readonly message: string };

/**
 * The cells `text` holds for `plan`; empty text holds none. Refused: a header of another plan or
 * other data, a cell of a task the plan does not have, a malformed line before the last. Of two
 * cells of the same task the first is kept. `name` names the file in messages; `otherPlanHint`
 * ends the refusal of a file of another comparison (what to do instead).
 */
export function readCellsText(
  text: string,
  plan: ComparePlan,
  name: string,
  otherPlanHint?: string,
): CellsFileRead {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) return { ok: true, cells: [], dropped: 0 };
  const read = readCellsHeader(lines[0], name);
  if (!read.ok) return read;
  const header = read.header;
  const want = cellsHeaderOf(plan);
  const differs: string[] = [];
  if (header.dataFingerprint !== want.dataFingerprint) differs.push('other data');
  if (header.profile !== want.profile)
    differs.push(`profile ${header.profile}, not ${want.profile}`);
  if (header.folds !== want.folds) differs.push(`${header.folds} folds, not ${want.folds}`);
  if (JSON.stringify(header.seeds) !== JSON.stringify(want.seeds)) {
    differs.push(`seeds ${JSON.stringify(header.seeds)}, not ${JSON.stringify(want.seeds)}`);
  }
  if (header.tasks !== want.tasks) differs.push(`${header.tasks} tasks, not ${want.tasks}`);
  const threshold = header.threshold ?? DEFAULT_COMPARE_THRESHOLD;
  if (
    threshold.value !== plan.threshold.value ||
    threshold.direction !== plan.threshold.direction
  ) {
    differs.push(
      `outcome threshold ${threshold.direction} ${threshold.value}, not ${plan.threshold.direction} ${plan.threshold.value}`,
    );
  }
  if (differs.length > 0) {
    return {
      ok: false,
      message: `${name} holds cells of another comparison (${differs.join('; ')})${otherPlanHint ? `; ${otherPlanHint}` : ''}.`,
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
      return { ok: false, message: `${name}, line ${i + 1}: not a cell of compare.` };
    }
    const id = taskKey(cell);
    if (!planned.has(id)) {
      return {
        ok: false,
        message: `${name}, line ${i + 1}: a cell of a task the plan does not have (${id}).`,
      };
    }
    if (seen.has(id)) continue;
    seen.add(id);
    cells.push(cell);
  }
  return { ok: true, cells, dropped };
}
