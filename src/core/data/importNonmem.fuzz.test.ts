import fc from 'fast-check';
import { env } from 'node:process';
import { describe, expect, it } from 'vitest';
import { validFile } from './fuzzFiles';
import { applyMutation, badBytes, mutation, NOT_A_NUMBER, withBytes } from './fuzzMutations';
import { CRASH_MESSAGE, expectFullOrLocated, fileLines } from './fuzzOutcome';
import { importNonmem } from './importNonmem';
import type { ImportResult } from './types';

/**
 * Fuzz tests of the importer (issue 8): thousands of generated and damaged files never crash
 * it, never load in part, and every refusal says where the problem is.
 *
 * Seeded, so a run (and CI) is reproducible; a failure prints the seed and the path of the
 * shrunk counterexample. For a longer hunt, scale the runs and change the seed:
 *   FUZZ_RUNS=50 FUZZ_SEED=$RANDOM npx vitest run src/core/data/importNonmem.fuzz.test.ts
 * (FUZZ_RUNS multiplies every property's run count; the default 1 keeps the file to seconds).
 */
const SCALE = Math.max(1, Number(env.FUZZ_RUNS ?? 1) || 1);
const SEED = Number(env.FUZZ_SEED ?? 20261125) || 20261125;
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE), seed: SEED });

/** Imports, failing the property on a thrown exception rather than letting it escape. */
function importText(text: string): ImportResult {
  try {
    return importNonmem(text);
  } catch (err) {
    throw new Error(`importNonmem threw: ${String(err)}`);
  }
}

/** Counts how often the damaged files load and are refused, so both outcomes are exercised. */
function outcomeTally() {
  const tally = { loaded: 0, refused: 0 };
  return {
    tally,
    note(result: ImportResult) {
      if (result.ok) tally.loaded++;
      else tally.refused++;
    },
  };
}

describe('importNonmem on generated files', () => {
  it('loads every valid spelling in full: each row, its line and its values', () => {
    fc.assert(
      fc.property(validFile, (file) => {
        const result = importText(file.text);
        if (!result.ok) {
          throw new Error(`refused: ${result.problems.map((p) => p.message).join(' / ')}`);
        }
        const got = result.dataset.records.map((r) => ({
          line: r.line,
          id: r.id,
          time: r.time,
          evid: r.evid,
          dv: r.dv,
          amt: r.amt,
        }));
        expect(got).toEqual(file.records);
        expectFullOrLocated(file.text, result);
      }),
      runs(400),
    );
  });
});

describe('importNonmem on damaged files', () => {
  it('never crashes, and either loads every row or says where the problem is', () => {
    const { tally, note } = outcomeTally();
    fc.assert(
      fc.property(validFile, fc.array(mutation, { minLength: 1, maxLength: 3 }), (file, ms) => {
        const text = ms.reduce((t, m) => applyMutation(t, m, file.delimiter), file.text);
        const result = importText(text);
        note(result);
        expectFullOrLocated(text, result);
      }),
      runs(2500),
    );
    // Damage that leaves a readable file must load (a blank line, a swapped subject), so both
    // outcomes must be common: a test that only ever saw refusals would prove little.
    const total = tally.loaded + tally.refused;
    expect(tally.loaded / total).toBeGreaterThan(0.05);
    expect(tally.refused / total).toBeGreaterThan(0.5);
  });

  it('reads bytes that are not UTF-8 as the browser decodes them, and never crashes', () => {
    const { tally, note } = outcomeTally();
    fc.assert(
      fc.property(validFile, fc.nat(), badBytes, (file, at, bytes) => {
        const text = withBytes(file.text, at, bytes);
        const result = importText(text);
        note(result);
        expectFullOrLocated(text, result);
      }),
      runs(800),
    );
    expect(tally.refused).toBeGreaterThan(0);
  });

  it('refuses IDs that are not UTF-8 where they are, and warns of other such text', () => {
    // A Latin-1 file as the browser reads it: "Müller" and "Mäller" both become "M\uFFFDller".
    const asBrowserReads = (latin1: string) =>
      new TextDecoder('utf-8').decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0)));
    // (Enough plain rows that the file is not taken for binary.)
    const plain = Array.from({ length: 8 }, (_, i) => `Anna,${i},1.5`).join('\n');
    const ids = importText(
      asBrowserReads(`ID,TIME,DV\nM\u00fcller,0,1\nM\u00e4ller,0,2\n${plain}\n`),
    );
    expect(ids.ok).toBe(false);
    for (const line of [2, 3]) {
      expect(ids.ok ? [] : ids.problems).toContainEqual(
        expect.objectContaining({ line, column: 'ID', message: expect.stringMatching(/UTF-8/) }),
      );
    }
    const text = importText(
      asBrowserReads(
        `ID,TIME,DV,SITE\r1,0,1,Basel\r2,0,2,Z\u00fcrich\r${plain.replaceAll('\n', ',Bern\r')},Bern\r`,
      ),
    );
    expect(text.ok).toBe(true);
    expect(text.ok ? text.warnings : []).toContainEqual(
      expect.objectContaining({ line: 3, message: expect.stringMatching(/not UTF-8/) }),
    );
  });

  it('refuses UTF-16 text (Excel\'s "Unicode Text"), saying what it is', () => {
    fc.assert(
      fc.property(validFile, fc.boolean(), (file, bigEndian) => {
        // With its byte-order mark, as Excel writes it; read as UTF-8, as the browser does.
        const le = Buffer.from(`\uFEFF${file.text.replace(/^\uFEFF/, '')}`, 'utf16le');
        const text = new TextDecoder('utf-8').decode(bigEndian ? le.swap16() : le);
        expect(importText(text)).toMatchObject({
          ok: false,
          problems: [{ line: 1, message: expect.stringMatching(/UTF-16/) }],
        });
      }),
      runs(100),
    );
  });

  it('refuses a bad value in a numeric column at its line and column', () => {
    fc.assert(
      fc.property(
        validFile,
        fc.nat(),
        fc.constantFrom('TIME', 'DV', 'AMT', 'EVID', 'MDV', 'CMT', 'DVID', 'BW'),
        fc.constantFrom(...NOT_A_NUMBER),
        (file, pick, role, value) => {
          const column = file.header.findIndex((h) => h.toUpperCase() === role);
          fc.pre(column >= 0);
          // A covariate with one row of text is a text column (ignored), not a bad number.
          fc.pre(role !== 'BW' || file.records.length >= 2);
          // In whitespace-separated files a value with spaces is several values.
          fc.pre(file.delimiter !== ' ' || !/\s/.test(value));
          const target = file.records[pick % file.records.length];
          const lines = fileLines(file.text);
          const text = applyMutation(
            file.text,
            {
              kind: 'cell',
              line: target.line - 1,
              column: cellIndex(file.delimiter, column),
              value,
            },
            file.delimiter,
          );
          expect(fileLines(text)[target.line - 1]).not.toBe(lines[target.line - 1]);
          const result = importText(text);
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(result.problems).toContainEqual(
              expect.objectContaining({ line: target.line, column: file.header[column] }),
            );
          }
        },
      ),
      runs(500),
    );
  });

  it('refuses a file without an ID or TIME column at the header, naming what is missing', () => {
    fc.assert(
      fc.property(validFile, fc.constantFrom('ID', 'TIME'), (file, role) => {
        const column = file.header.findIndex((h) => h.toUpperCase() === role);
        const text = applyMutation(
          file.text,
          { kind: 'dropColumn', column: cellIndex(file.delimiter, column) },
          file.delimiter,
        );
        const result = importText(text);
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.problems).toContainEqual(
            expect.objectContaining({
              line: file.headerLine,
              message: expect.stringContaining(`No ${role} column`),
            }),
          );
        }
      }),
      runs(200),
    );
  });

  it('refuses a column name written twice at the header, naming it', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), fc.nat(), (file, a, b) => {
        const [from, to] = [a % file.header.length, b % file.header.length];
        fc.pre(from !== to);
        const text = applyMutation(
          file.text,
          {
            kind: 'duplicateName',
            from: cellIndex(file.delimiter, from),
            to: cellIndex(file.delimiter, to),
          },
          file.delimiter,
        );
        const result = importText(text);
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.problems).toContainEqual(
            expect.objectContaining({ line: file.headerLine, column: file.header[from] }),
          );
        }
      }),
      runs(200),
    );
  });

  it('refuses a NUL byte (a binary file) at the line it is on, whatever the line ends', () => {
    fc.assert(
      fc.property(validFile, fc.nat(), (file, at) => {
        const i = at % (file.text.length + 1);
        const text = file.text.slice(0, i) + '\u0000' + file.text.slice(i);
        const line = fileLines(text).findIndex((l) => l.includes('\u0000')) + 1;
        const result = importText(text);
        expect(result).toMatchObject({ ok: false, problems: [{ line }] });
      }),
      runs(300),
    );
  });

  it('refuses empty files (nothing, blank lines, a BOM) at line 1', () => {
    const empties = ['', ' ', '\uFEFF', '\uFEFF\r\n', '\n\n', '\r\r', ' \t \r\n  '];
    for (const text of empties) {
      const result = importText(text);
      expect(result, JSON.stringify(text)).toMatchObject({
        ok: false,
        problems: [{ line: 1, message: 'The file is empty.' }],
      });
      expect(CRASH_MESSAGE.test(JSON.stringify(result))).toBe(false);
    }
  });
});

/**
 * The mutation's cell index of a column: whitespace-separated lines alternate runs of spaces
 * and values (and start with spaces), so value k is cell 2k + 1 there.
 */
function cellIndex(delimiter: string, column: number): number {
  return delimiter === ' ' ? 2 * column + 1 : column;
}
