import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_TRIAL_SEED, generateDemoTrial } from './demoTrial';
import { TRUE_MODEL } from './trueModel';
import { sharedDir } from '../../testing/close';

type Row = Record<
  'ID' | 'BW' | 'COMED' | 'DOSE' | 'TIME' | 'DV' | 'EVID' | 'MDV' | 'AMT' | 'CMT' | 'DVID',
  number
>;

function parse(csv: string): { header: string; rows: Row[]; dvText: string[] } {
  const lines = csv.trimEnd().split('\n');
  const names = lines[0].split(',');
  const dvText: string[] = [];
  const rows = lines.slice(1).map((line) => {
    const cells = line.split(',');
    dvText.push(cells[names.indexOf('DV')]);
    return Object.fromEntries(names.map((n, i) => [n, Number(cells[i])])) as Row;
  });
  return { header: lines[0], rows, dvText };
}

const real = parse(fs.readFileSync(path.join(sharedDir, 'data/EstData.csv'), 'utf8'));
const demo = generateDemoTrial(DEMO_TRIAL_SEED);
const trial = parse(demo.csv);

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geoMean = (xs: number[]) => Math.exp(xs.reduce((a, b) => a + Math.log(b), 0) / xs.length);

/** COMED / no-COMED ratio of the geometric-mean pre-dose biomarker. */
function comedBaselineRatio(rows: Row[]): number {
  const pre = rows.filter((r) => r.DVID === 2 && r.TIME === 0);
  return (
    geoMean(pre.filter((r) => r.COMED === 1).map((r) => r.DV)) /
    geoMean(pre.filter((r) => r.COMED === 0).map((r) => r.DV))
  );
}

describe('demo trial', () => {
  it('has the challenge layout: header, 48 subjects, 756 doses, 864 PK and 1200 PD records', () => {
    expect(trial.header).toBe(real.header);
    expect(trial.header).toBe('ID,BW,COMED,DOSE,TIME,DV,EVID,MDV,AMT,CMT,DVID');
    expect(new Set(trial.rows.map((r) => r.ID)).size).toBe(48);
    expect(trial.rows.filter((r) => r.EVID === 1)).toHaveLength(756);
    expect(trial.rows.filter((r) => r.DVID === 1)).toHaveLength(864);
    expect(trial.rows.filter((r) => r.DVID === 2)).toHaveLength(1200);
    expect(trial.rows).toHaveLength(2820);
  });

  it('has the same record skeleton as EstData.csv (IDs, groups, times, record kinds, order)', () => {
    const skeleton = (rows: Row[]) =>
      rows.map((r) => [r.ID, r.DOSE, r.TIME, r.EVID, r.MDV, r.AMT, r.CMT, r.DVID].join(','));
    expect(skeleton(trial.rows)).toEqual(skeleton(real.rows));
  });

  it('prints positive observations with at most 6 significant digits, and DV 0 on dose records', () => {
    trial.rows.forEach((r, i) => {
      if (r.EVID === 1) {
        expect(r.DV).toBe(0);
        return;
      }
      expect(r.DV).toBeGreaterThan(0);
      const digits = trial.dvText[i].replace('.', '').replace(/^0+/, '');
      expect(digits.length, `DV ${trial.dvText[i]}`).toBeLessThanOrEqual(6);
      expect(trial.dvText[i]).not.toMatch(/e/);
    });
  });

  it('is reproducible for a seed and differs between seeds', () => {
    expect(generateDemoTrial(DEMO_TRIAL_SEED).csv).toBe(demo.csv);
    expect(generateDemoTrial(DEMO_TRIAL_SEED + 1).csv).not.toBe(demo.csv);
    expect(demo.trueModel).toEqual(TRUE_MODEL);
    expect(demo.description).toContain(String(DEMO_TRIAL_SEED));
  });

  it('draws body weight in 50–100 kg and gives about half the subjects COMED', () => {
    const subjects = [...new Map(trial.rows.map((r) => [r.ID, r])).values()];
    for (const s of subjects) {
      expect(s.BW).toBeGreaterThanOrEqual(50);
      expect(s.BW).toBeLessThanOrEqual(100);
    }
    const comed = subjects.filter((s) => s.COMED === 1).length;
    expect(comed).toBeGreaterThanOrEqual(14);
    expect(comed).toBeLessThanOrEqual(34);
  });

  it('shows COMED lowering the baseline by about a quarter', () => {
    // One trial: 24 vs 24 subjects with ω = 0.2 gives a standard error of ≈ 6% on the ratio.
    expect(comedBaselineRatio(trial.rows)).toBeGreaterThan(0.62);
    expect(comedBaselineRatio(trial.rows)).toBeLessThan(0.88);
    const seeds = [1, 2, 3, 4, 5, 6];
    const ratios = seeds.map((s) => comedBaselineRatio(parse(generateDemoTrial(s).csv).rows));
    expect(geoMean(ratios)).toBeGreaterThan(0.7);
    expect(geoMean(ratios)).toBeLessThan(0.8);
  });

  it('has exposure increasing with dose and close to dose-proportional', () => {
    const pkAt = (dose: number, t: number) =>
      median(
        trial.rows.filter((r) => r.DVID === 1 && r.DOSE === dose && r.TIME === t).map((r) => r.DV),
      );
    const pkTimes = [...new Set(trial.rows.filter((r) => r.DVID === 1).map((r) => r.TIME))];
    for (const t of pkTimes) {
      expect(pkAt(1, t), `median C at ${t} h, 1 vs 3 mg`).toBeLessThan(pkAt(3, t));
      expect(pkAt(3, t), `median C at ${t} h, 3 vs 10 mg`).toBeLessThan(pkAt(10, t));
    }
    // Dose-normalised steady-state exposure: within ±40% across groups (12 subjects each).
    const ss = (dose: number) =>
      [480, 482, 484, 488, 492, 504].reduce((a, t) => a + pkAt(dose, t), 0) / dose;
    for (const d of [1, 3]) {
      expect(ss(d) / ss(10)).toBeGreaterThan(0.6);
      expect(ss(d) / ss(10)).toBeLessThan(1.4);
    }
  });

  it('looks like EstData.csv: steady-state exposure, baseline and suppression at 10 mg', () => {
    const ssMedian = (rows: Row[], dose: number, dvid: number) =>
      median(
        rows
          .filter((r) => r.DVID === dvid && r.DOSE === dose && r.TIME >= 480 && r.TIME <= 504)
          .map((r) => r.DV),
      );
    for (const dose of [1, 3, 10]) {
      const ratio = ssMedian(trial.rows, dose, 1) / ssMedian(real.rows, dose, 1);
      expect(ratio, `steady-state C at ${dose} mg, demo / real`).toBeGreaterThan(0.7);
      expect(ratio, `steady-state C at ${dose} mg, demo / real`).toBeLessThan(1.4);
    }
    const base = (rows: Row[]) =>
      median(rows.filter((r) => r.DVID === 2 && r.TIME === 0 && r.COMED === 0).map((r) => r.DV));
    expect(base(trial.rows) / base(real.rows)).toBeGreaterThan(0.8);
    expect(base(trial.rows) / base(real.rows)).toBeLessThan(1.25);
    // Most subjects on 10 mg are below 3.3 ng/mL over the last dosing interval.
    const on10 = trial.rows.filter(
      (r) => r.DVID === 2 && r.DOSE === 10 && r.TIME >= 480 && r.TIME <= 504,
    );
    expect(on10.filter((r) => r.DV < 3.3).length / on10.length).toBeGreaterThan(0.8);
  });
});
