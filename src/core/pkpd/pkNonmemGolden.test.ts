import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClose, sharedDir, TOL } from '../../testing/close';
import { simulatePk } from './pk';
import type { DoseEvent, PkParameters } from './types';

/**
 * NONMEM 7's own output for 29 dosing scenarios (shared/golden/nonmem-dosing, from the
 * mrgsolve/nmtests benchmark). Model: ADVAN2, CL 1.1 L/h, V 20 L, KA 1.5 /h; F2 = BIOAV and
 * ALAG2 = LAGT for doses into compartment 2; MODE 1 modelled rate RAT2, MODE 2 modelled
 * duration DUR2. CP = A(2)/(V/1000), i.e. 1000 × mg/L. NONMEM writes one output row per input
 * row, dose rows included, and the value on a dose row is the state after that record: the
 * same convention as simulatePk, so every row is simply C(TIME).
 */

const DIR = path.join(sharedDir, 'golden/nonmem-dosing');

type Row = Record<string, string>;

function readCsv(file: string): Row[] {
  const lines = readFileSync(path.join(DIR, file), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

const input = readCsv('input.csv');
const output = readCsv('nonmem.csv');

interface Scenario {
  readonly id: number;
  readonly pk: PkParameters;
  readonly events: DoseEvent[];
  readonly times: number[];
  readonly expected: number[];
}

function scenarios(): Scenario[] {
  const byId = new Map<number, { rows: Row[]; expected: number[] }>();
  input.forEach((row, i) => {
    const id = Number(row.ID);
    expect(Number(output[i].ID), `nonmem.csv row ${i + 2} ID`).toBe(id);
    expect(Number(output[i].TIME), `nonmem.csv row ${i + 2} TIME`).toBe(Number(row.time));
    const s = byId.get(id) ?? { rows: [], expected: [] };
    s.rows.push(row);
    s.expected.push(Number(output[i].CP));
    byId.set(id, s);
  });
  return [...byId].map(([id, { rows, expected }]) => {
    const doses = rows.filter((r) => r.evid !== '0');
    // F2/ALAG2/D2/R2 are record items in the control stream; they must not vary between the
    // records into compartment 2 of one ID, since PkParameters holds one value per subject.
    const central = doses.filter((r) => r.cmt === '2' && r.evid !== '3');
    const ref = central[0] ?? doses[0];
    for (const r of central) {
      for (const col of ['BIOAV', 'LAGT', 'DUR2', 'RAT2'])
        expect(r[col], `ID ${id} ${col}`).toBe(ref[col]);
    }
    const pk: PkParameters = {
      type: 'oral1',
      CL: 1.1,
      V: 20,
      ka: 1.5,
      F2: Number(ref.BIOAV),
      lag2: Number(ref.LAGT),
      dur2: Number(ref.DUR2),
      rate2: Number(ref.RAT2),
    };
    const events: DoseEvent[] = doses.map((r) => ({
      time: Number(r.time),
      amt: Number(r.amt),
      cmt: Number(r.cmt),
      evid: Number(r.evid) as 1 | 3 | 4,
      rate: Number(r.rate),
      ii: Number(r.ii),
      addl: Number(r.addl),
      ss: Number(r.ss) as 0 | 1 | 2,
    }));
    return { id, pk, events, times: rows.map((r) => Number(r.time)), expected };
  });
}

const all = scenarios();

describe('NONMEM 7 dosing-event golden values (29 scenarios)', () => {
  it('has all 29 scenarios', () => {
    expect(all.map((s) => s.id)).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
  });

  for (const s of all) {
    it(`scenario ${s.id}: every row within relative ${TOL.nonmem}`, () => {
      const cp = simulatePk(s.pk, s.events, s.times);
      const scale = Math.max(...s.expected.map(Math.abs));
      s.expected.forEach((want, i) => {
        // NONMEM prints 5 significant digits; values near 0 get an absolute floor.
        expectClose(cp[i] * 1000, want, {
          rel: TOL.nonmem,
          abs: 1e-6 * scale,
          context: `ID ${s.id} row ${i + 1} (TIME ${s.times[i]})`,
        });
      });
    });
  }
});
