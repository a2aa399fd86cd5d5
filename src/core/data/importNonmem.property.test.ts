import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importNonmem } from './importNonmem';
import { readEstData } from './testFixtures';
import type { ImportResult } from './types';

/** Seeded so a failure reproduces; ~200 runs keep the suite fast. */
const RUNS = { numRuns: 200, seed: 20240611 } as const;

// The first three subjects of EstData (placebo, a few hundred rows): valid, realistic, quick.
const base = readEstData()
  .split('\n')
  .filter((l, i) => i === 0 || /^[123],/.test(l))
  .join('\n');

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'delimiter'; to: string; line: number | null }
  | { kind: 'quote'; at: number }
  | { kind: 'cell'; line: number; column: number; value: string }
  | { kind: 'duplicateHeader'; from: number; to: number }
  | { kind: 'bytes'; at: number; bytes: string };

const position = fc.integer({ min: 0, max: base.length });
const lineCount = base.split('\n').length;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('delimiter' as const),
    to: fc.constantFrom('\t', ';', ' ', '|', ',,'),
    line: fc.option(fc.integer({ min: 0, max: lineCount - 1 }), { nil: null }),
  }),
  fc.record({ kind: fc.constant('quote' as const), at: position }),
  fc.record({
    kind: fc.constant('cell' as const),
    line: fc.integer({ min: 0, max: lineCount - 1 }),
    column: fc.integer({ min: 0, max: 10 }),
    value: fc.oneof(
      fc.constantFrom(
        'NaN',
        'Infinity',
        '-Infinity',
        '1e999',
        '',
        '.',
        'abc',
        '-1',
        '0',
        '5',
        '"',
        '1,5',
      ),
      fc.string({ maxLength: 6 }),
      fc.double().map(String),
    ),
  }),
  fc.record({
    kind: fc.constant('duplicateHeader' as const),
    from: fc.integer({ min: 0, max: 10 }),
    to: fc.integer({ min: 0, max: 10 }),
  }),
  fc.record({
    kind: fc.constant('bytes' as const),
    at: position,
    bytes: fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 12 })
      .map((codes) => String.fromCharCode(...codes)),
  }),
);

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  // Earlier mutations may have shortened the text: line numbers wrap around.
  const at = (line: number) => line % lines.length;
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at);
    case 'delimiter':
      if (m.line === null) return text.replaceAll(',', m.to);
      lines[at(m.line)] = lines[at(m.line)].replaceAll(',', m.to);
      return lines.join('\n');
    case 'quote':
      return text.slice(0, m.at) + '"' + text.slice(m.at);
    case 'cell': {
      const cells = lines[at(m.line)].split(',');
      cells[m.column % cells.length] = m.value;
      lines[at(m.line)] = cells.join(',');
      return lines.join('\n');
    }
    case 'duplicateHeader': {
      const header = lines[0].split(',');
      header[m.to] = header[m.from];
      lines[0] = header.join(',');
      return lines.join('\n');
    }
    case 'bytes':
      return text.slice(0, m.at) + m.bytes + text.slice(m.at);
  }
}

/** Either it loaded every non-blank data line, or it says where at least one problem is. */
function checkOutcome(text: string, result: ImportResult): void {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (result.ok) {
    const { records } = result.dataset;
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(Number.isInteger(r.line) && r.line >= 2 && r.line <= lines.length).toBe(true);
      expect(Number.isFinite(r.time) && r.time >= 0).toBe(true);
    }
    const seen = new Set(records.map((r) => r.line));
    expect(seen.size).toBe(records.length);
    // Loaded fully: every counted record turned into a dose, an observation or another record.
    const s = result.dataset.subjects;
    const doses = s.reduce((n, x) => n + x.doses.length, 0);
    const obs = s.reduce((n, x) => n + x.observations.length, 0);
    expect(doses + obs).toBeLessThanOrEqual(records.length);
  } else {
    expect(result.problems.length).toBeGreaterThan(0);
    for (const p of result.problems) {
      expect(Number.isInteger(p.line) && p.line >= 1 && p.line <= lines.length + 1).toBe(true);
      expect(p.message.length).toBeGreaterThan(0);
    }
  }
}

describe('importNonmem on damaged files', () => {
  it('loads the undamaged base', () => {
    expect(importNonmem(base).ok).toBe(true);
  });

  it('never throws, and either loads or points at a line', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const text = mutations.reduce(apply, base);
        let result: ImportResult | undefined;
        expect(() => {
          result = importNonmem(text);
        }).not.toThrow();
        checkOutcome(text, result as ImportResult);
      }),
      RUNS,
    );
  });

  it('refuses any damage to a value in a required column', () => {
    // TIME is column 5 of EstData; each of these is unreadable, negative or a gap in time.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: lineCount - 1 }),
        fc.constantFrom('NaN', 'Infinity', 'abc', '-1', '', '1e999'),
        (line, value) => {
          const r = importNonmem(apply(base, { kind: 'cell', line, column: 4, value }));
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.problems.some((p) => p.line === line + 1)).toBe(true);
        },
      ),
      { numRuns: 50, seed: RUNS.seed },
    );
  });
});
