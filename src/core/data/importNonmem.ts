import { buildSubjects } from './buildSubjects';
import { checkText, lineAt, parseTable, type ParsedTable } from './parseTable';
import { planColumns } from './planColumns';
import { ProblemList } from './problems';
import { readRecords } from './readRecords';
import {
  DEFAULT_MAX_BYTES,
  type DataPreview,
  type DataProblem,
  type ImportOptions,
  type ImportResult,
} from './types';

/** Rows shown beside the problems of a refused file: enough to see the pattern of an error. */
const PREVIEW_ROWS = 100;

/**
 * Reads a NONMEM-style data file (CSV, TSV, semicolon or whitespace separated; header row
 * required) into subjects with dose records, observations and covariates.
 *
 * Every problem found is listed with its line, column and value, and a file with any problem
 * loads nothing (`ok: false`). Things worth knowing that do not stop the import (a covariate
 * that changes over time, a text column that is ignored, a derived EVID) are `warnings`.
 * Never throws: whatever the input, a result comes back.
 *
 * Units are taken as written: TIME in hours, AMT in mg, DV in the endpoint's unit.
 */
export function importNonmem(text: string, opts: ImportOptions = {}): ImportResult {
  try {
    return importUnguarded(text, opts);
  } catch (err) {
    // Reaching here is a bug in the importer, not in the file; still, answer rather than crash.
    return {
      ok: false,
      problems: [
        {
          line: 1,
          message: `The importer failed unexpectedly (${err instanceof Error ? err.message : String(err)}); please report this with the file.`,
        },
      ],
    };
  }
}

function importUnguarded(text: string, opts: ImportOptions): ImportResult {
  if (typeof text !== 'string') {
    return { ok: false, problems: [{ line: 1, message: 'No text was given to import.' }] };
  }
  const refused = checkText(text, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  if (refused) return { ok: false, problems: [refused] };

  const table = parseTable(text);
  const problems = new ProblemList();
  const warnings: DataProblem[] = [];
  for (const p of table.problems) problems.add(p);
  const refuse = (): ImportResult => ({
    ok: false,
    problems: problems.toArray(),
    preview: previewOf(table),
  });

  if (table.rows.length === 0) {
    problems.add({
      line: table.headerLine,
      value: table.header.join(' ').slice(0, 80),
      message: 'The file has a header but no data rows.',
    });
    return refuse();
  }
  // "0,5" means 0.5 only where the comma cannot be the separator.
  const decimalComma = table.delimiter === ';';
  const plan = planColumns(table, opts.mapping ?? {}, problems, warnings, decimalComma);
  if (plan === null) return refuse();

  const read = readRecords(table, plan, problems, warnings, decimalComma);
  if (problems.count > 0) return refuse();
  const { subjects, timeVarying } = buildSubjects(read, plan.covariates, warnings);

  if (plan.roleIndex.EVID === undefined) {
    warnings.push({
      line: table.headerLine,
      message:
        'No EVID column: each record with AMT > 0 is a dose, one with MDV 1 is an other-type record, the rest are observations.',
    });
  }
  if (plan.roleIndex.DVID === undefined && plan.roleIndex.CMT !== undefined) {
    const dvids = new Set(subjects.flatMap((s) => s.observations.map((o) => o.dvid)));
    if ([...dvids].some((d) => d !== 1)) {
      warnings.push({
        line: table.headerLine,
        message: `No DVID column: observations are numbered by their CMT (${[...dvids].sort((a, b) => a - b).join(', ')}). Map a DVID column to number them 1 (PK) and 2 (PD).`,
      });
    }
  }

  // Browsers (and the command line) read a Latin-1 or Windows-1252 file as UTF-8, replacing
  // each byte they cannot decode with U+FFFD. IDs holding one are refused (readRecords); text
  // elsewhere still loads, but the user should know where it first reads wrongly.
  const undecodable = text.indexOf('\uFFFD');
  if (undecodable >= 0) {
    warnings.push({
      line: lineAt(text, undecodable),
      message:
        'The file holds characters that are not UTF-8 text (shown as \uFFFD), first on this line: names and text in it may read wrongly. Save the file as UTF-8 (in Excel: CSV UTF-8).',
    });
  }

  return {
    ok: true,
    dataset: {
      name: opts.name ?? 'data',
      columns: plan.columns,
      mapping: plan.mapping,
      covariateNames: plan.covariates.map((c) => c.name),
      timeVaryingCovariateNames: timeVarying,
      subjects,
      records: read.records,
    },
    warnings,
  };
}

/** The first rows as read, placed so that row r is line r + 2 (blank lines left empty). */
function previewOf(table: ParsedTable): DataPreview | undefined {
  if (table.header.length === 0) return undefined;
  const rows: string[][] = [];
  for (let r = 0; r < table.rows.length; r++) {
    const at = table.lines[r] - 2;
    if (at >= PREVIEW_ROWS) break;
    if (at < 0) continue;
    while (rows.length < at) rows.push([]);
    rows.push(table.rows[r].slice());
  }
  return { columns: table.header.slice(), rows };
}
