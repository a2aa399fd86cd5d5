import fc from 'fast-check';

/**
 * Generated NONMEM-style files for the importer's fuzz tests (importNonmem.fuzz.test.ts): valid
 * files in every spelling the importer promises to read (delimiters, line ends, BOM, quotes,
 * blank lines, number formats, decimal commas) and the records each must load as. The damage
 * done to them is in fuzzMutations.ts, the outcome they must have in fuzzOutcome.ts. Test
 * support only; nothing in the app imports these files.
 */

export type FuzzDelimiter = ',' | '\t' | ';' | ' ';

/** A record the file must load as, in file order. */
export interface ExpectedRecord {
  /** 1-based line in the file. */
  readonly line: number;
  /** The subject as the data set names it (numeric IDs normalised: "01" is "1"). */
  readonly id: string;
  readonly time: number;
  readonly evid: 0 | 1;
  readonly dv: number | null;
  readonly amt: number;
}

export interface FuzzFile {
  readonly text: string;
  readonly delimiter: FuzzDelimiter;
  /** Column names as written (before quoting). */
  readonly header: readonly string[];
  readonly headerLine: number;
  readonly records: readonly ExpectedRecord[];
}

type NumberStyle = 'plain' | 'fixed' | 'exp' | 'plus';
type LineEnd = '\n' | '\r\n' | '\r' | 'mixed';

interface FileSpec {
  readonly columns: {
    readonly dv: boolean;
    readonly amt: boolean;
    readonly evid: boolean;
    readonly mdv: boolean;
    readonly cmt: boolean;
    readonly dvid: boolean;
    readonly bw: boolean;
    readonly comed: boolean;
    /** A numeric covariate the importer knows nothing about. */
    readonly age: boolean;
    /** A text column (ignored with a warning). */
    readonly site: boolean;
  };
  readonly subjects: readonly {
    readonly rows: readonly { dose: boolean; dtQuarterHours: number; value: number }[];
    readonly bw: number;
    readonly comed: 0 | 1;
  }[];
  readonly idStyle: 'int' | 'padded' | 'text';
  readonly headerCase: 'upper' | 'lower';
  readonly delimiter: FuzzDelimiter;
  readonly decimalComma: boolean;
  readonly lineEnd: LineEnd;
  readonly bom: boolean;
  readonly trailingNewline: boolean;
  /** Number spellings, used in turn cell by cell. */
  readonly numberStyles: readonly NumberStyle[];
  /** Quote every n-th cell (0: none). */
  readonly quoteEvery: number;
  /** Missing values as "." or as an empty cell (whitespace-separated files always use "."). */
  readonly missing: '.' | '';
  readonly leadingBlankLines: number;
  /** Blank lines after data line `after` (mod the number of rows). */
  readonly blankLines: readonly { after: number; kind: 'empty' | 'spaces' | 'separators' }[];
}

const fileSpec: fc.Arbitrary<FileSpec> = fc.record({
  columns: fc
    .record({
      dv: fc.boolean(),
      amt: fc.boolean(),
      evid: fc.boolean(),
      mdv: fc.boolean(),
      cmt: fc.boolean(),
      dvid: fc.boolean(),
      bw: fc.boolean(),
      comed: fc.boolean(),
      age: fc.boolean(),
      site: fc.boolean(),
    })
    // A file needs DV (observations) or AMT (doses).
    .map((c) => (c.dv || c.amt ? c : { ...c, dv: true })),
  subjects: fc.array(
    fc.record({
      rows: fc.array(
        fc.record({
          dose: fc.boolean(),
          dtQuarterHours: fc.integer({ min: 1, max: 200 }),
          value: fc.integer({ min: 1, max: 4000 }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      bw: fc.integer({ min: 40, max: 130 }),
      comed: fc.constantFrom(0 as const, 1 as const),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  idStyle: fc.constantFrom('int' as const, 'padded' as const, 'text' as const),
  headerCase: fc.constantFrom('upper' as const, 'lower' as const),
  delimiter: fc.constantFrom<FuzzDelimiter>(',', '\t', ';', ' '),
  decimalComma: fc.boolean(),
  lineEnd: fc.constantFrom<LineEnd>('\n', '\r\n', '\r', 'mixed'),
  bom: fc.boolean(),
  trailingNewline: fc.boolean(),
  numberStyles: fc.array(fc.constantFrom<NumberStyle>('plain', 'fixed', 'exp', 'plus'), {
    minLength: 1,
    maxLength: 6,
  }),
  quoteEvery: fc.integer({ min: 0, max: 5 }),
  missing: fc.constantFrom('.' as const, '' as const),
  leadingBlankLines: fc.integer({ min: 0, max: 2 }),
  blankLines: fc.array(
    fc.record({
      after: fc.nat(),
      kind: fc.constantFrom('empty' as const, 'spaces' as const, 'separators' as const),
    }),
    { maxLength: 3 },
  ),
});

/** Builds the file a spec describes, with the records it must load as. */
function buildFile(spec: FileSpec): FuzzFile {
  const c = spec.columns;
  const names = [
    'ID',
    'TIME',
    ...(c.dv ? ['DV'] : []),
    ...(c.amt ? ['AMT'] : []),
    ...(c.evid ? ['EVID'] : []),
    ...(c.mdv ? ['MDV'] : []),
    ...(c.cmt ? ['CMT'] : []),
    ...(c.dvid ? ['DVID'] : []),
    ...(c.bw ? ['BW'] : []),
    ...(c.comed ? ['COMED'] : []),
    ...(c.age ? ['AGE'] : []),
    ...(c.site ? ['SITE'] : []),
  ];
  const header = names.map((n) => (spec.headerCase === 'lower' ? n.toLowerCase() : n));
  const whitespace = spec.delimiter === ' ';
  const missing = whitespace ? '.' : spec.missing;
  let styleAt = 0;
  const num = (v: number): string => {
    const style = spec.numberStyles[styleAt++ % spec.numberStyles.length];
    let s =
      style === 'fixed'
        ? v.toFixed(3)
        : style === 'exp'
          ? v.toExponential()
          : style === 'plus'
            ? `+${v}`
            : String(v);
    if (spec.decimalComma && spec.delimiter === ';') s = s.replace('.', ',');
    return s;
  };

  const rows: string[][] = [];
  const records: Omit<ExpectedRecord, 'line'>[] = [];
  spec.subjects.forEach((subject, s) => {
    const id =
      spec.idStyle === 'int'
        ? String(s + 1)
        : spec.idStyle === 'padded'
          ? `0${s + 1}`
          : `S-${s + 1}`;
    const idKey = spec.idStyle === 'text' ? id : String(s + 1);
    let quarterHours = 0;
    subject.rows.forEach((r, i) => {
      if (i > 0) quarterHours += r.dtQuarterHours;
      const time = quarterHours / 4;
      // Without an AMT column every row is an observation; without DV, every row a dose.
      const dose = c.amt && (r.dose || !c.dv);
      const dv = dose ? null : r.value / 4;
      const amt = dose ? r.value : 0;
      const cells: Record<string, string> = {
        ID: id,
        TIME: num(time),
        DV: dv === null ? missing : num(dv),
        AMT: dose ? num(amt) : i % 2 === 0 ? '0' : missing,
        EVID: dose ? '1' : '0',
        MDV: dose ? '1' : '0',
        CMT: dose ? '1' : '2',
        DVID: dose ? '0' : String(1 + (i % 2)),
        BW: num(subject.bw),
        COMED: String(subject.comed),
        AGE: num(20 + s),
        SITE: s % 2 === 0 ? 'north' : 'south',
      };
      rows.push(names.map((n) => cells[n]));
      records.push({ id: idKey, time, evid: dose ? 1 : 0, dv, amt });
    });
  });

  let cellCount = 0;
  const quote = (cell: string): string =>
    spec.quoteEvery > 0 && cellCount++ % spec.quoteEvery === 0 ? `"${cell}"` : cell;
  const join = (cells: readonly string[]): string =>
    whitespace
      ? // NONMEM's own tables: a leading space, columns padded with runs of spaces.
        cells.map((v, i) => ' '.repeat(1 + (i % 3)) + quote(v)).join('')
      : cells.map(quote).join(spec.delimiter);
  const blank = (kind: 'empty' | 'spaces' | 'separators'): string =>
    kind === 'empty'
      ? ''
      : kind === 'spaces'
        ? '   '
        : whitespace
          ? ' \t '
          : spec.delimiter.repeat(names.length - 1);

  const lines: string[] = [];
  for (let i = 0; i < spec.leadingBlankLines; i++) lines.push(blank(i === 0 ? 'empty' : 'spaces'));
  const headerLine = lines.length + 1;
  lines.push(join(header));
  const blankAfter = new Map<number, ('empty' | 'spaces' | 'separators')[]>();
  for (const b of spec.blankLines) {
    const at = b.after % rows.length;
    blankAfter.set(at, [...(blankAfter.get(at) ?? []), b.kind]);
  }
  const expected: ExpectedRecord[] = [];
  rows.forEach((row, r) => {
    lines.push(join(row));
    expected.push({ ...records[r], line: lines.length });
    for (const kind of blankAfter.get(r) ?? []) lines.push(blank(kind));
  });

  let text = spec.bom ? '\uFEFF' : '';
  lines.forEach((line, i) => {
    text += line;
    if (i === lines.length - 1 && !spec.trailingNewline) return;
    let end = spec.lineEnd === 'mixed' ? (['\n', '\r\n', '\r'] as const)[i % 3] : spec.lineEnd;
    // A CR, an empty line and an LF would read as one CRLF: one line fewer than written.
    if (end === '\r' && lines[i + 1] === '') end = '\r\n';
    text += end;
  });
  return { text, delimiter: spec.delimiter, header, headerLine, records: expected };
}

/** Valid files in any of the spellings the importer reads, with what each must load as. */
export const validFile: fc.Arbitrary<FuzzFile> = fileSpec.map(buildFile);
