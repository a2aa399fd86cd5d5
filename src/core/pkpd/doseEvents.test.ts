import { describe, expect, it } from 'vitest';
import { expandDoses, resolveDose, sortDoseEvents, validateDoseEvent } from './doseEvents';
import { CENTRAL, DEPOT } from './linearSystem';
import type { DoseEvent, PkParameters } from './types';

const PK: PkParameters = {
  type: 'oral1',
  CL: 1,
  V: 10,
  ka: 1,
  F1: 0.8,
  F2: 0.5,
  lag1: 0.5,
  lag2: 2,
  rate1: 4,
  rate2: 10,
  dur1: 3,
  dur2: 8,
};

const dose = (extra: Partial<DoseEvent>): DoseEvent => ({
  time: 0,
  amt: 100,
  cmt: 2,
  evid: 1,
  ...extra,
});

describe('resolveDose (NONMEM infusion semantics)', () => {
  it('a bolus gets F and lag of its compartment', () => {
    expect(resolveDose(PK, dose({ cmt: 1 }))).toEqual({
      slot: DEPOT,
      amount: 80,
      rate: 0,
      duration: 0,
      lag: 0.5,
    });
    expect(resolveDose(PK, dose({}))).toEqual({
      slot: CENTRAL,
      amount: 50,
      rate: 0,
      duration: 0,
      lag: 2,
    });
  });

  it('RATE > 0 keeps the rate and scales the duration by F', () => {
    expect(resolveDose(PK, dose({ rate: 25 }))).toMatchObject({
      amount: 50,
      rate: 25,
      duration: 2,
    });
  });

  it('RATE −1 takes the modelled rate, RATE −2 the modelled duration', () => {
    expect(resolveDose(PK, dose({ rate: -1 }))).toMatchObject({
      amount: 50,
      rate: 10,
      duration: 5,
    });
    expect(resolveDose(PK, dose({ rate: -2 }))).toMatchObject({
      amount: 50,
      rate: 6.25,
      duration: 8,
    });
    expect(resolveDose(PK, dose({ cmt: 1, rate: -2 }))).toMatchObject({
      amount: 80,
      rate: 80 / 3,
      duration: 3,
    });
  });

  it('IV models send both compartments to the central one', () => {
    const iv: PkParameters = { type: 'iv2', CL: 1, V: 10, Q: 1, V2: 5 };
    expect(resolveDose(iv, dose({ cmt: 1 })).slot).toBe(CENTRAL);
    expect(resolveDose(iv, dose({ cmt: 2 })).slot).toBe(CENTRAL);
  });

  it('a steady-state constant infusion (AMT 0) has F on the rate and no end', () => {
    expect(resolveDose(PK, dose({ amt: 0, rate: 20, ss: 1 }))).toMatchObject({
      amount: 0,
      rate: 10,
      duration: Infinity,
    });
  });

  it('errors name the record and the missing parameter', () => {
    const noRate: PkParameters = { ...PK, rate2: undefined };
    expect(() => resolveDose(noRate, dose({ rate: -1 }))).toThrow(
      'dose record at time 0 (evid 1, amt 100, cmt 2, rate -1): rate −1 needs the modelled rate rate2 > 0, got undefined',
    );
    expect(() => resolveDose(PK, dose({ rate: -3 }))).toThrow(/rate must be ≥ 0, −1/);
  });
});

describe('validateDoseEvent', () => {
  it('accepts ordinary records and rejects inconsistent ones with the field named', () => {
    expect(() => validateDoseEvent(dose({ ii: 24, addl: 3, ss: 1 }))).not.toThrow();
    expect(() => validateDoseEvent({ time: 5, amt: 0, cmt: 1, evid: 3 })).not.toThrow();
    expect(() => validateDoseEvent(dose({ addl: 2 }))).toThrow(/addl 2 needs ii > 0/);
    expect(() => validateDoseEvent(dose({ addl: 1.5, ii: 12 }))).toThrow(
      /addl must be a whole number/,
    );
    expect(() => validateDoseEvent(dose({ time: NaN }))).toThrow(/time must be a finite number/);
    expect(() => validateDoseEvent(dose({ amt: 0, rate: 5 }))).toThrow(/needs ss 1 or 2/);
    expect(() => validateDoseEvent(dose({ amt: 0, rate: 5, ss: 1 }))).not.toThrow();
  });
});

describe('sorting and expanding records', () => {
  it('sorts by time and keeps the given order at equal times', () => {
    const a = dose({ time: 5, amt: 1 });
    const b = dose({ time: 0, amt: 2 });
    const c = dose({ time: 5, amt: 3 });
    expect(sortDoseEvents([a, b, c])).toEqual([b, a, c]);
    const sorted = [b, a, c];
    expect(sortDoseEvents(sorted)).toBe(sorted);
  });

  it('writes ADDL doses out at time + k·ii as plain doses, in time order', () => {
    const out = expandDoses([
      dose({ time: 1, ii: 12, addl: 2, ss: 1 }),
      dose({ time: 20, amt: 7 }),
    ]);
    expect(out.map((e) => [e.time, e.amt, e.ss ?? 0, e.addl ?? 0])).toEqual([
      [1, 100, 1, 0],
      [13, 100, 0, 0],
      [20, 7, 0, 0],
      [25, 100, 0, 0],
    ]);
  });
});
