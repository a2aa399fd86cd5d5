import { COLUMN_ALIASES, inferMapping, isRoleAlias, normaliseColumnName } from './columns';
import type { ParsedTable } from './parseTable';
import type { ProblemList } from './problems';
import { readNumber } from './readNumber';
import { COLUMN_ROLES, type ColumnMapping, type ColumnRole, type DataProblem } from './types';

/** A numeric column kept as a covariate. */
export interface CovariateColumn {
  /** Index into the header. */
  readonly index: number;
  /** Upper-case name used in the data set (the role name for BW, COMED and DOSE). */
  readonly name: string;
  /** The header as written, for problems. */
  readonly column: string;
}

/** Which header column fills each role, and which columns are covariates. */
export interface ColumnPlan {
  /** Header cells as written, trailing unnamed empty columns dropped. */
  readonly columns: string[];
  readonly roleIndex: Partial<Record<ColumnRole, number>>;
  readonly mapping: Partial<ColumnMapping>;
  readonly covariates: CovariateColumn[];
}

/** Roles that are covariates rather than record items. */
const COVARIATE_ROLES: readonly ColumnRole[] = ['BW', 'COMED', 'DOSE'];

/**
 * Checks the header, applies the user's mapping, infers the rest and sorts the other columns
 * into covariates (numeric) and ignored ones (text, empty). Returns null when the header alone
 * makes the file unreadable; the reasons are in `problems`.
 */
export function planColumns(
  table: ParsedTable,
  userMapping: Partial<ColumnMapping>,
  problems: ProblemList,
  warnings: DataProblem[],
  decimalComma: boolean,
): ColumnPlan | null {
  const line = table.headerLine;
  const columns = [...table.header];
  // Trailing separators ("ID,TIME,DV,") leave unnamed columns; drop them when they hold nothing.
  while (columns.length > 0 && columns[columns.length - 1] === '') {
    const c = columns.length - 1;
    if (table.rows.some((r) => c < r.length && r[c] !== '')) break;
    columns.pop();
  }
  const before = problems.count;

  if (columns.length === 0) {
    problems.add({ line, message: 'The header names no columns.' });
    return null;
  }
  if (columns.every((c) => typeof readNumber(c) === 'number')) {
    problems.add({
      line,
      value: columns.join(table.delimiter === 'whitespace' ? ' ' : table.delimiter),
      message:
        'The first line holds numbers, not column names: add a header row naming the columns (ID, TIME, DV, AMT, EVID, ...).',
    });
    return null;
  }
  const seen = new Map<string, number>();
  columns.forEach((c, i) => {
    if (c === '') {
      problems.add({ line, message: `Column ${i + 1} has no name in the header.` });
      return;
    }
    const n = normaliseColumnName(c);
    const first = seen.get(n);
    if (first !== undefined) {
      problems.add({
        line,
        column: c,
        value: c,
        message: `The column name appears twice (columns ${first + 1} and ${i + 1}; names are compared ignoring case): rename one.`,
      });
    } else seen.set(n, i);
  });

  const indexOf = (name: string): number => {
    const exact = columns.indexOf(name);
    return exact >= 0
      ? exact
      : columns.findIndex((c) => c !== '' && normaliseColumnName(c) === normaliseColumnName(name));
  };
  const mapping: Partial<ColumnMapping> = {};
  const taken = new Set<string>();
  for (const role of COLUMN_ROLES) {
    const wanted = userMapping[role];
    if (wanted === undefined) continue;
    const i = indexOf(wanted);
    if (i < 0) {
      problems.add({
        line,
        column: wanted,
        message: `The mapping ${role}=${wanted} names a column that is not in the file; the columns are ${columns.join(', ')}.`,
      });
      continue;
    }
    if (taken.has(columns[i])) {
      const other = COLUMN_ROLES.find((r) => mapping[r] === columns[i]);
      problems.add({
        line,
        column: columns[i],
        message: `Column ${columns[i]} is mapped to both ${other} and ${role}; a column fills one role.`,
      });
      continue;
    }
    mapping[role] = columns[i];
    taken.add(columns[i]);
  }
  const inferred = inferMapping(
    columns.filter((c) => c !== ''),
    taken,
  );
  for (const role of COLUMN_ROLES) {
    if (
      mapping[role] === undefined &&
      userMapping[role] === undefined &&
      inferred[role] !== undefined
    ) {
      mapping[role] = inferred[role];
    }
  }

  const missing: ColumnRole[] = [];
  if (mapping.ID === undefined) missing.push('ID');
  if (mapping.TIME === undefined) missing.push('TIME');
  if (mapping.DV === undefined && mapping.AMT === undefined) missing.push('DV');
  for (const role of missing) {
    const aliases = COLUMN_ALIASES[role].join('/');
    const what = role === 'DV' ? 'DV (observations) or AMT (doses)' : role;
    problems.add({
      line,
      message: `No ${what} column. The columns are ${columns.filter((c) => c !== '').join(', ')}. Name the column ${aliases}, or map it with the column mapping (command line: --columns ${role}=<column>).`,
    });
  }
  if (problems.count > before) return null;

  const roleIndex: Partial<Record<ColumnRole, number>> = {};
  for (const role of COLUMN_ROLES) {
    const c = mapping[role];
    if (c !== undefined) roleIndex[role] = columns.indexOf(c);
  }
  const used = new Set(Object.values(roleIndex));
  const covariates: CovariateColumn[] = [];
  columns.forEach((column, index) => {
    const role = COVARIATE_ROLES.find((r) => roleIndex[r] === index);
    if (role !== undefined) {
      covariates.push({ index, name: role, column });
      return;
    }
    if (used.has(index)) return;
    if (isRoleAlias(column)) {
      // A second weight column, or the old DV after DV=CONC: never a covariate by accident.
      const role = COLUMN_ROLES.find((r) =>
        COLUMN_ALIASES[r].includes(normaliseColumnName(column)),
      );
      warnings.push({
        line,
        column,
        message: `Column ${column} is not used: ${role} comes from column ${mapping[role as ColumnRole]}.`,
      });
      return;
    }
    const kind = classifyColumn(table, index, decimalComma);
    if (kind.type === 'numeric')
      covariates.push({ index, name: normaliseColumnName(column), column });
    else if (kind.type === 'empty') {
      warnings.push({ line, column, message: `Column ${column} is empty; it is ignored.` });
    } else {
      warnings.push({
        line: kind.line,
        column,
        value: kind.value,
        message: `Column ${column} holds text, not numbers; it is shown in the records but not used as a covariate (code it as numbers to use it).`,
      });
    }
  });
  return { columns, roleIndex, mapping, covariates };
}

type ColumnKind =
  { type: 'numeric' } | { type: 'empty' } | { type: 'text'; line: number; value: string };

/**
 * A column with at least as many numbers as other values is numeric (its stray text cells are
 * then errors); one that is mostly text (SEX as M/F, a date) is a text column and is ignored.
 */
function classifyColumn(table: ParsedTable, index: number, decimalComma: boolean): ColumnKind {
  const rows = table.rows;
  let numbers = 0;
  let others = 0;
  let firstOther = -1;
  for (let r = 0; r < rows.length; r++) {
    const cell = index < rows[r].length ? rows[r][index] : '';
    const v = readNumber(cell, decimalComma);
    if (v === null) continue;
    if (typeof v === 'number') numbers++;
    else {
      others++;
      if (firstOther < 0) firstOther = r;
    }
  }
  if (numbers === 0 && others === 0) return { type: 'empty' };
  if (others > numbers)
    return { type: 'text', line: table.lines[firstOther], value: rows[firstOther][index] };
  return { type: 'numeric' };
}
