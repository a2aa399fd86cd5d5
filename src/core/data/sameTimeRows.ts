/**
 * The rows of one subject at one time (since its last reset), for finding duplicates. Time
 * never decreases within a subject, so a duplicate can only be among these: no index of the
 * whole file is kept. Usually a handful of rows, scanned; past SCAN_LIMIT (a file with
 * thousands of rows at one time) lookups switch to maps so the check stays linear.
 */
export class SameTimeRows {
  private readonly rows: { line: number; cells: readonly string[]; observation: string | null }[] =
    [];
  private byCells: Map<string, number> | null = null;
  private byObservation: Map<string, number> | null = null;

  /** Forgets every row: the time moved on, or a reset (EVID 3, 4) started the clock again. */
  clear(): void {
    this.rows.length = 0;
    this.byCells = null;
    this.byObservation = null;
  }

  /** Line of an earlier row with exactly these cells, if any. */
  findTwin(cells: readonly string[]): number | undefined {
    if (this.byCells) return this.byCells.get(cells.join('\u001f'));
    return this.rows.find((r) => sameCells(r.cells, cells))?.line;
  }

  /** Line of an earlier observation with this key (CMT and DVID), if any. */
  findObservation(key: string): number | undefined {
    if (this.byObservation) return this.byObservation.get(key);
    return this.rows.find((r) => r.observation === key)?.line;
  }

  /** `observation` is the record's observation key, or null for other records. */
  add(line: number, cells: readonly string[], observation: string | null): void {
    if (this.byCells && this.byObservation) {
      const key = cells.join('\u001f');
      if (!this.byCells.has(key)) this.byCells.set(key, line);
      if (observation !== null && !this.byObservation.has(observation)) {
        this.byObservation.set(observation, line);
      }
      return;
    }
    this.rows.push({ line, cells, observation });
    if (this.rows.length > SCAN_LIMIT) {
      this.byCells = new Map();
      this.byObservation = new Map();
      for (const r of this.rows) {
        const key = r.cells.join('\u001f');
        if (!this.byCells.has(key)) this.byCells.set(key, r.line);
        if (r.observation !== null && !this.byObservation.has(r.observation)) {
          this.byObservation.set(r.observation, r.line);
        }
      }
    }
  }
}

/** Rows scanned one by one before lookups go through maps. */
const SCAN_LIMIT = 32;

function sameCells(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
