import type { DataProblem } from './types';

/**
 * At most this many problems are listed; a file with a wrong delimiter can produce one per cell
 * and nobody reads past the first screenful. The rest are counted in a closing entry.
 */
export const MAX_LISTED_PROBLEMS = 1000;

/** Longer values are cut in problems (with an ellipsis): enough to recognise the cell. */
export const MAX_VALUE_CHARS = 80;

/** Collects problems in the order found, keeping the first `cap` and counting the rest. */
export class ProblemList {
  private readonly items: DataProblem[] = [];
  private omitted = 0;
  private firstOmittedLine = 0;

  constructor(private readonly cap: number = MAX_LISTED_PROBLEMS) {}

  add(problem: DataProblem): void {
    if (this.items.length < this.cap) {
      const long = problem.value !== undefined && problem.value.length > MAX_VALUE_CHARS;
      // An unclosed quote can make one "value" of the rest of the file.
      this.items.push(
        long ? { ...problem, value: `${problem.value?.slice(0, MAX_VALUE_CHARS)}…` } : problem,
      );
      return;
    }
    if (this.omitted === 0) this.firstOmittedLine = problem.line;
    this.omitted++;
  }

  get count(): number {
    return this.items.length + this.omitted;
  }

  /** The listed problems, followed by one entry saying how many were left out. */
  toArray(): DataProblem[] {
    if (this.omitted === 0) return [...this.items];
    return [
      ...this.items,
      {
        line: this.firstOmittedLine,
        message: `…and ${this.omitted} more problem${this.omitted === 1 ? '' : 's'} (only the first ${this.cap} are listed), starting on this line.`,
      },
    ];
  }
}

/** `line N, column C, value "V": message`, leaving out the parts a problem does not have. */
export function formatProblem(p: DataProblem): string {
  const column = p.column !== undefined ? `, column ${p.column}` : '';
  const value = p.value !== undefined ? `, value "${p.value}"` : '';
  return `line ${p.line}${column}${value}: ${p.message}`;
}
