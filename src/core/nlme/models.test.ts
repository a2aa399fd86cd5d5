import { describe, expect, it } from 'vitest';
import { importNonmem } from '../data/importNonmem';
import { generateDemoTrial } from '../trial/demoTrial';
import {
  buildFitSpec,
  defaultModelName,
  describeModel,
  FIT_MODEL_NAMES,
  parseModelName,
  pkStartingValues,
} from './models';

const trial = generateDemoTrial(3);
const imported = importNonmem(trial.csv, { name: 'demo' });
if (!imported.ok) throw new Error('demo did not import');
const ds = imported.dataset;

describe('fit models', () => {
  it('parses every listed name and rejects others with the list', () => {
    for (const name of FIT_MODEL_NAMES) {
      expect(() => parseModelName(name)).not.toThrow();
      expect(describeModel(name)).toMatch(/PK/);
    }
    expect(() => parseModelName('pk3-oral')).toThrow(/Unknown model/);
    expect(() => parseModelName('pk1-oral-idr9')).toThrow(/idr1/);
  });

  it('picks the challenge default and builds its spec with covariates', () => {
    expect(defaultModelName(ds)).toBe('pk1-oral-idr1');
    const spec = buildFitSpec('pk1-oral-idr1', ds);
    expect(spec.parameters.map((p) => p.name)).toEqual([
      'ka',
      'CL',
      'V',
      'baseline',
      'kout',
      'Imax',
      'IC50',
    ]);
    expect(spec.covariates.map((c) => `${c.covariate}:${c.parameter}`)).toEqual([
      'BW:CL',
      'BW:V',
      'COMED:baseline',
    ]);
    expect(spec.residual.concentration?.type).toBe('proportional');
  });

  it('starts PK parameters from the data within a factor of two of the truth', () => {
    const start = pkStartingValues(ds);
    expect(start.CL / 0.045).toBeGreaterThan(0.5);
    expect(start.CL / 0.045).toBeLessThan(2);
    expect(start.V / 9.5).toBeGreaterThan(0.5);
    expect(start.V / 9.5).toBeLessThan(2);
  });
});
