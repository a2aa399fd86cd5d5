import type { DoseEvent } from '../pkpd/types';
import type { ParsedTable } from './parseTable';
import type { ColumnPlan } from './planColumns';
import type { ProblemList } from './problems';
import { doseItemProblems } from './doseItemProblems';
import { readNumber } from './readNumber';
import { SameTimeRows } from './sameTimeRows';
import type { ColumnRole, DataProblem, NormalisedRecord, Observation } from './types';

/** One subject's records as they are read, before covariates are resolved. */
export interface SubjectRows {
  readonly id: string;
  /** Indices into `records`, file order. */
  readonly rows: number[];
  readonly doses: DoseEvent[];
  readonly observations: Observation[];
}

export interface ReadRecords {
  readonly records: NormalisedRecord[];
  /** Per covariate (plan order), one value per record; NaN where missing. */
  readonly covariateValues: Float64Array[];
  /** Subjects in order of first appearance. */
  readonly subjects: Map<string, SubjectRows>;
}

/** What is remembered per subject while reading, for time order and duplicates. */
interface SubjectState {
  readonly out: SubjectRows;
  lastTime: number;
  lastLine: number;
  lastCell: string;
  /** Rows at `lastTime` since the last reset, where any duplicate of the next row must be. */
  sameTime: SameTimeRows;
}

/** What a browser reads bytes that are not UTF-8 as (U+FFFD, the replacement character). */
const UNDECODABLE = '\uFFFD';

/** IDs named one by one in "records resume" warnings before the rest are only counted. */
const MAX_RESUME_WARNINGS = 10;

/** Notes that would repeat on every row are counted and said once. */
interface Tally {
  count: number;
  line: number;
}

/**
 * Reads every data row: numbers, NONMEM event semantics, time order, duplicates. Each problem
 * names its line, column (as written in the header) and value. Rows with unreadable cells skip
 * the semantic checks so one bad cell gives one problem, not a cascade.
 */
export function readRecords(
  table: ParsedTable,
  plan: ColumnPlan,
  problems: ProblemList,
  warnings: DataProblem[],
  decimalComma: boolean,
): ReadRecords {
  const { columns, roleIndex } = plan;
  const ncol = columns.length;
  const col = (role: ColumnRole): number => roleIndex[role] ?? -1;
  const [iID, iTIME, iDV, iAMT, iEVID, iMDV, iCMT, iDVID, iII, iADDL, iSS, iRATE] = (
    ['ID', 'TIME', 'DV', 'AMT', 'EVID', 'MDV', 'CMT', 'DVID', 'II', 'ADDL', 'SS', 'RATE'] as const
  ).map(col);
  const covariateIndex = plan.covariates.map((c) => c.index);

  const records: NormalisedRecord[] = [];
  const covariateValues = plan.covariates.map(() => new Float64Array(table.rows.length));
  const subjects = new Map<string, SubjectRows>();
  const states = new Map<string, SubjectState>();
  const amtOnObservation: Tally = { count: 0, line: 0 };
  const unobserved: Tally = { count: 0, line: 0 };
  // IDs whose records resume after other subjects' (a file sorted by time, not by ID).
  const resumed = new Set<string>();
  const resumedTally: Tally = { count: 0, line: 0 };
  let previousId: string | null = null;

  // The row being read. The helpers below are made once, not per row: 100,000 rows.
  let row: readonly string[] = [];
  let line = 0;
  let bad = false;
  const num = (i: number): number | null => {
    if (i < 0) return null;
    const cell = row[i];
    const v = readNumber(cell, decimalComma);
    if (typeof v === 'number' || v === null) return v;
    bad = true;
    problems.add({
      line,
      column: columns[i],
      value: cell,
      message:
        v === 'non-finite'
          ? `${columns[i]} must be a finite number (NaN and infinities are not data).`
          : `${columns[i]} must be a number.`,
    });
    return null;
  };
  const fail = (i: number, message: string): void => {
    bad = true;
    problems.add(i >= 0 ? { line, column: columns[i], value: row[i], message } : { line, message });
  };

  for (let r = 0; r < table.rows.length; r++) {
    line = table.lines[r];
    row = table.rows[r];
    bad = false;
    if (row.length !== ncol) {
      const onlyEmptyExtras = row.length > ncol && row.slice(ncol).every((v) => v === '');
      if (!onlyEmptyExtras) {
        problems.add({
          line,
          value: row.join(table.delimiter === 'whitespace' ? ' ' : table.delimiter),
          message: `This row has ${row.length} value${row.length === 1 ? '' : 's'}; the header has ${ncol} columns.`,
        });
        continue;
      }
      row = row.slice(0, ncol);
    }

    const idCell = row[iID];
    let id = idCell;
    const hasId = idCell !== '' && idCell !== '.';
    if (!hasId) fail(iID, 'ID is missing.');
    else if (idCell.includes(UNDECODABLE)) {
      // "Müller" and "Mäller" saved as Latin-1 both read "M�ller": joined into one subject.
      fail(
        iID,
        'ID holds characters that are not UTF-8 text (shown as \uFFFD), so different IDs could read alike; save the file as UTF-8 (in Excel: CSV UTF-8) and load it again.',
      );
    } else {
      // Numeric IDs are compared as numbers ("01" is subject 1), as NONMEM does.
      const n = readNumber(idCell);
      if (typeof n === 'number') id = String(n);
    }

    const time = num(iTIME);
    const evidRead = num(iEVID);
    const mdvRead = num(iMDV);
    const dv = num(iDV);
    const amt = num(iAMT) ?? 0;
    const rate = num(iRATE) ?? 0;
    const ii = num(iII) ?? 0;
    const addl = num(iADDL) ?? 0;
    const ss = num(iSS) ?? 0;
    const cmtRead = num(iCMT);
    const dvidRead = num(iDVID);
    for (let k = 0; k < covariateIndex.length; k++) {
      covariateValues[k][records.length] = num(covariateIndex[k]) ?? NaN;
    }

    if (row[iTIME] === '' || row[iTIME] === '.') fail(iTIME, 'TIME is missing.');
    if (time !== null && time < 0) {
      fail(iTIME, 'TIME is negative; times are hours since the first record (0 or more).');
    }

    let evid: 0 | 1 | 2 | 3 | 4;
    if (evidRead !== null) {
      if (Number.isInteger(evidRead) && evidRead >= 0 && evidRead <= 4) {
        evid = evidRead as 0 | 1 | 2 | 3 | 4;
      } else {
        fail(
          iEVID,
          'Unknown EVID; valid values are 0 (observation), 1 (dose), 2 (other), 3 (reset), 4 (reset and dose).',
        );
        evid = 2;
      }
    } else if (amt > 0 || (ss === 1 && rate > 0)) {
      // No EVID (or "."): as NM-TRAN does, a record with an amount (or a steady-state infusion)
      // is a dose; otherwise MDV decides; without MDV, a record with a DV is an observation.
      evid = 1;
    } else if (mdvRead === 1) evid = 2;
    else if (mdvRead === 0) evid = 0;
    else evid = dv === null ? 2 : 0;
    if (mdvRead !== null && mdvRead !== 0 && mdvRead !== 1) fail(iMDV, 'MDV must be 0 or 1.');
    const mdv: 0 | 1 = mdvRead === 0 || mdvRead === 1 ? mdvRead : evid === 0 && dv !== null ? 0 : 1;

    if (cmtRead !== null && !(Number.isInteger(cmtRead) && cmtRead >= 0)) {
      fail(
        iCMT,
        'CMT must be a whole number, 0 or more (negative CMT, turning a compartment off, is not supported).',
      );
    }
    if (dvidRead !== null && !Number.isInteger(dvidRead))
      fail(iDVID, 'DVID must be a whole number.');
    // CMT 0 or missing means the default compartment.
    const cmt = cmtRead ?? 0;
    // Without a DVID the compartment numbers the endpoint, else everything is endpoint 1.
    const dvid = dvidRead ?? (cmt > 0 ? cmt : 1);
    const isObservation = evid === 0 && mdv === 0;

    if (!bad) {
      if (evid !== 0 && mdvRead === 0) {
        fail(
          iMDV,
          iEVID >= 0
            ? `MDV must be 1 on a record that is not an observation (EVID ${evid}).`
            : 'MDV must be 1 on a dose record (AMT > 0); a record is a dose or an observation, not both.',
        );
      }
      if (isObservation && dv === null) {
        if (iDV >= 0) fail(iDV, 'An observation record (EVID 0, MDV 0) has no DV.');
        else {
          fail(
            iMDV,
            'An observation record (MDV 0) needs a DV column; map one with the column mapping (command line: --columns DV=<column>).',
          );
        }
      }
      if (evid === 0 && mdv === 1 && unobserved.count++ === 0) unobserved.line = line;
      if (evid === 0 && amt !== 0 && amtOnObservation.count++ === 0) amtOnObservation.line = line;
      if (evid === 1 || evid === 4) {
        for (const p of doseItemProblems({ evid, amt, rate, ii, addl, ss })) {
          fail(p.role === 'AMT' && iAMT < 0 ? iEVID : col(p.role), p.message);
        }
      }
    }

    let state = states.get(id);
    if (state === undefined) {
      const out: SubjectRows = { id, rows: [], doses: [], observations: [] };
      subjects.set(id, out);
      state = { out, lastTime: -Infinity, lastLine: 0, lastCell: '', sameTime: new SameTimeRows() };
      states.set(id, state);
    } else if (id !== previousId && hasId && !resumed.has(id)) {
      resumed.add(id);
      if (resumed.size > MAX_RESUME_WARNINGS) {
        if (resumedTally.count++ === 0) resumedTally.line = line;
      } else
        warnings.push({
          line,
          column: columns[iID],
          value: idCell,
          message: `The records of ID ${id} resume here after other subjects; they are joined into one subject (NONMEM would start a new individual).`,
        });
    }
    previousId = id;

    if (time !== null && hasId) {
      const reset = evid === 3 || evid === 4;
      if (time < state.lastTime && !reset) {
        problems.add({
          line,
          column: columns[iTIME],
          value: row[iTIME],
          message: `TIME goes back within ID ${id} (line ${state.lastLine} has TIME ${state.lastCell}); NONMEM needs non-decreasing TIME within a subject unless EVID 3 or 4 resets it.`,
        });
      }
      // After a reset, times start again: earlier rows are no longer duplicates of new ones.
      if (time !== state.lastTime || reset) state.sameTime.clear();
      const twin = state.sameTime.findTwin(row);
      const obsKey = isObservation ? `${cmt}\u001f${dvid}` : null;
      const first = obsKey === null ? undefined : state.sameTime.findObservation(obsKey);
      if (twin !== undefined) {
        problems.add({
          line,
          message: `This row is identical to line ${twin} (a duplicated record).`,
        });
      } else if (first !== undefined) {
        problems.add({
          line,
          column: columns[iTIME],
          value: row[iTIME],
          message: `A second observation for ID ${id} at TIME ${row[iTIME]} (EVID 0, CMT ${cmt}, DVID ${dvid}); the first is on line ${first}.`,
        });
      }
      state.sameTime.add(line, row, obsKey);
      state.lastTime = time;
      state.lastLine = line;
      state.lastCell = row[iTIME];
    }

    const subject = state.out;
    subject.rows.push(records.length);
    records.push({ line, id, time: time ?? NaN, evid, mdv, dv, amt, cmt, dvid, cells: row });
    if (time === null) continue;
    if (isObservation && dv !== null) {
      subject.observations.push({ time, dvid, dv, cmt });
    } else if (evid === 1 || evid === 3 || evid === 4) {
      // NONMEM's default dose compartment is the first (the depot of an oral model).
      const dose: { -readonly [K in keyof DoseEvent]: DoseEvent[K] } = {
        time,
        amt: evid === 3 ? 0 : amt,
        cmt: cmt > 0 ? cmt : 1,
        evid,
      };
      if (rate !== 0) dose.rate = rate;
      if (ii > 0) dose.ii = ii;
      if (addl > 0) dose.addl = addl;
      if (ss === 1 || ss === 2) dose.ss = ss;
      subject.doses.push(dose);
    }
  }

  if (resumedTally.count > 0) {
    warnings.push({
      line: resumedTally.line,
      column: columns[iID],
      message: `The records of ${resumedTally.count} more IDs also resume after other subjects (first on this line); sort the file by ID.`,
    });
  }
  if (unobserved.count > 0) {
    warnings.push({
      line: unobserved.line,
      message: `${unobserved.count} record${unobserved.count === 1 ? '' : 's'} with EVID 0 but MDV 1 or no DV (first on this line) are kept as records, not observations.`,
    });
  }
  if (amtOnObservation.count > 0) {
    warnings.push({
      line: amtOnObservation.line,
      column: columns[iAMT],
      message: `${amtOnObservation.count} observation record${amtOnObservation.count === 1 ? '' : 's'} (EVID 0) have a non-zero AMT (first on this line); it is ignored.`,
    });
  }
  return { records, covariateValues, subjects };
}
