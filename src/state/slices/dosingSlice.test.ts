import { describe, expect, it, vi } from 'vitest';
import { attainmentResult } from '../../core/dosing/attainment';
import { comedFractionOf } from '../../core/dosing/challenge';
import type { PopulationModel } from '../../core/pkpd/population';
import { TRUE_MODEL } from '../../core/trial/trueModel';
import type { SavedFitMeta } from '../fitFile';
import { useWorkbench } from '../store';
import {
  answerWarnings,
  DEFAULT_DOSING_SETTINGS,
  dosingModelOptions,
  dosingPlan,
  restoreDosingSettings,
  type DosingSettings,
} from './dosingSlice';
import { DEMO_TRUTH_ID } from './savedFitsSlice';

// Local storage as a browser has it, so the persisted settings can be checked.
const memoryStorage = await vi.hoisted(async () =>
  (await import('../../testing/memoryStorage')).installMemoryStorage(),
);

const state = () => useWorkbench.getState();

function fitMetaOf(id: string, model: PopulationModel): SavedFitMeta {
  return {
    id,
    label: `fit ${id}`,
    modelName: model.pd ? 'pk1-oral-idr1' : 'pk1-oral',
    dataName: 'Demo trial',
    ofv: 123.45,
    converged: true,
    date: '2026-11-24T00:00:00.000Z',
    model,
    domain: { doseRange: [1, 10], intervals: [24], bwRange: [50, 100], comedValues: [0, 1] },
  };
}

const settings = (patch: Partial<DosingSettings> = {}): DosingSettings => ({
  ...DEFAULT_DOSING_SETTINGS,
  ...patch,
});

describe('dosingPlan', () => {
  it('turns the defaults into one job for the demo truth, with the data COMED fraction', async () => {
    await state().loadDemo(7);
    const ds = state().dataset!;
    const plan = dosingPlan(settings(), ds, []);
    expect(plan.problems).toEqual([]);
    expect(plan.jobs.map((j) => j.modelId)).toEqual([DEMO_TRUTH_ID]);
    expect(plan.question).toEqual({
      interval: 24,
      step: 0.5,
      target: 0.9,
      threshold: { value: 3.3, direction: 'below' },
    });
    const comed = plan.jobs[0].population.covariates.COMED;
    expect(comed).toEqual({ type: 'bernoulli', p: comedFractionOf(ds) });
    expect(plan.populationText).toMatch(
      /^10,000 virtual subjects \(seed \d+\); body weight uniform 50–100 kg; COMED in \d+% \(as in the loaded data\)$/,
    );
    // Without data: 50%.
    expect(dosingPlan(settings(), null, []).jobs[0].population.covariates.COMED).toEqual({
      type: 'bernoulli',
      p: 0.5,
    });
  });

  it('lists every invalid setting in plain words', () => {
    const bad = dosingPlan(
      settings({ size: 0, bwMin: 120, targetPercent: 0, step: 0, seed: 1.5, modelIds: [] }),
      null,
      [],
    );
    expect(bad.problems).toEqual(
      expect.arrayContaining([
        'Choose at least one model that predicts the biomarker.',
        'Population size must be a whole number from 1 to 1,000,000.',
        'The seed must be a whole number.',
        'Body weight: the range must be low ≤ high (e.g. 50–100 kg).',
        'The target must be more than 0% and at most 100% of the population.',
        'The dose step must be more than 0 mg.',
      ]),
    );
    expect(dosingPlan(settings({ bwSource: 'resample' }), null, []).problems[0]).toMatch(
      /no BW column to resample from/,
    );
    expect(
      dosingPlan(settings({ bwSource: 'normal', bwMean: 300, bwSd: 5 }), null, []).problems[0],
    ).toMatch(/holds almost none of the normal distribution/);
    expect(
      dosingPlan(settings({ step: 1e-4, limitMaxDose: true, maxDose: 1000 }), null, []).problems[0],
    ).toMatch(/use a larger step/);
    expect(
      dosingPlan(settings({ comedFromData: false, comedFraction: 1.2 }), null, []).problems,
    ).toContain('The fraction on concomitant medication must be from 0% to 100%.');
  });

  it('resamples body weights from the data within the range', async () => {
    await state().loadDemo(7);
    const ds = state().dataset!;
    const plan = dosingPlan(settings({ bwSource: 'resample', bwMin: 60, bwMax: 80 }), ds, []);
    expect(plan.problems).toEqual([]);
    const bw = plan.jobs[0].population.covariates.BW;
    expect(bw.type).toBe('resample');
    if (bw.type === 'resample') {
      expect(bw.values.length).toBeGreaterThan(0);
      expect(bw.values.every((v) => v >= 60 && v <= 80)).toBe(true);
    }
    expect(plan.bwRange[0]).toBeGreaterThanOrEqual(60);
    expect(
      dosingPlan(settings({ bwSource: 'resample', bwMin: 200, bwMax: 300 }), ds, []).problems[0],
    ).toMatch(/none of the loaded data's weights/);
  });

  it('leaves out a fit without a biomarker, and says so', () => {
    const fits = [fitMetaOf('pk', { ...TRUE_MODEL, pd: undefined })];
    const options = dosingModelOptions(fits);
    expect(options.map((o) => [o.id, o.hasBiomarker])).toEqual([
      [DEMO_TRUTH_ID, true],
      ['pk', false],
    ]);
    const plan = dosingPlan(settings({ modelIds: ['pk'] }), null, fits);
    expect(plan.skipped[0]).toMatch(/no biomarker \(PD\) part/);
    expect(plan.problems).toEqual(['Choose at least one model that predicts the biomarker.']);
  });
});

describe('answerWarnings', () => {
  it('names doses, intervals and weights outside the domain', () => {
    const counts = new Int32Array(21).fill(10);
    const result = attainmentResult(counts, 10, {
      interval: 168,
      step: 5,
      target: 0.9,
      threshold: { value: 3.3, direction: 'below' },
    });
    expect(result.dose).toBe(0);
    const domain = {
      doseRange: [1, 10],
      intervals: [24],
      bwRange: [50, 100],
      comedValues: [0, 1],
    } as const;
    const w = answerWarnings(domain, { ...result, dose: 50 }, [70, 140], [0, 1]);
    expect(w).toEqual([
      'Dose 50 mg is outside the trained doses (1–10 mg).',
      'Interval 168 h was not in the data (24 h).',
      'Body weight 140 kg is outside 50–100 kg.',
    ]);
    expect(answerWarnings(undefined, result, [70, 140], [0, 1])).toEqual([]);
  });
});

describe('restoreDosingSettings', () => {
  it('keeps valid persisted values and replaces the rest with defaults', () => {
    expect(restoreDosingSettings(null)).toEqual(DEFAULT_DOSING_SETTINGS);
    const restored = restoreDosingSettings({
      size: 500,
      seed: 'x',
      bwSource: 'bogus',
      intervalChoice: '168',
      direction: 'above',
      modelIds: ['a', 3],
      threshold: null,
    });
    expect(restored.size).toBe(500);
    expect(restored.seed).toBe(DEFAULT_DOSING_SETTINGS.seed);
    expect(restored.bwSource).toBe('uniform');
    expect(restored.intervalChoice).toBe('168');
    expect(restored.direction).toBe('above');
    expect(restored.modelIds).toEqual(DEFAULT_DOSING_SETTINGS.modelIds);
    expect(restored.threshold).toBe(3.3);
  });
});

describe('the dosing slice (Node: jobs on the main thread)', () => {
  it('finds a dose per model, keeps the settings, cancels and answers the challenge', async () => {
    await state().loadDemo(7);
    state().setDosingInterval('168');
    expect(state().dosingSettings.step).toBe(5);
    state().setDosingInterval('24');
    expect(state().dosingSettings.step).toBe(0.5);
    state().setDosingSettings({ size: 300 });
    useWorkbench.setState({ savedFits: [fitMetaOf('f1', TRUE_MODEL)] });
    state().toggleDosingModel('f1', true);
    expect(state().dosingSettings.modelIds).toEqual([DEMO_TRUTH_ID, 'f1']);

    await state().runDosing();
    expect(state().dosingStatus).toBe('done');
    const results = state().dosingResults;
    expect(results.map((r) => r.modelId)).toEqual([DEMO_TRUTH_ID, 'f1']);
    // The same model and seed give the same answer.
    expect(results[0].result.dose).toBe(results[1].result.dose);
    expect(results[0].result.summary).toMatch(/of 300 virtual subjects/);
    expect(state().dosingRunInfo?.populationText).toMatch(/^300 virtual subjects/);

    // Settings are persisted; results are not.
    const saved = JSON.parse(memoryStorage.getItem('pkpd-workbench') ?? '{}');
    expect(saved.state.dosingSettings.size).toBe(300);
    expect(saved.state.dosingResults).toBeUndefined();

    // Cancel while searching: the run stops and says so.
    state().setDosingSettings({ size: 3000 });
    const unsubscribe = useWorkbench.subscribe((s) => {
      if (s.dosingProgress?.phase === 'searching' && s.dosingProgress.done > 0) s.cancelDosing();
    });
    await state().runDosing();
    unsubscribe();
    expect(state().dosingStatus).toBe('cancelled');
    expect(state().dosingMessage).toMatch(/Cancelled/);

    // Invalid settings: no run, the problems in the message.
    state().setDosingSettings({ size: 300, bwMin: 200 });
    await state().runDosing();
    expect(state().dosingStatus).toBe('error');
    expect(state().dosingMessage).toMatch(/low ≤ high/);
    state().setDosingSettings({ bwMin: 50, size: 100 });

    await state().runDosingChallenge();
    expect(state().challengeStatus).toBe('done');
    const run = state().challengeRun!;
    expect(run.modelId).toBe(DEMO_TRUTH_ID);
    expect(run.result.answers).toHaveLength(12);
    expect(run.result.settings.subjects).toBe(100);
    expect(run.result.settings.comedFraction).toBe(comedFractionOf(state().dataset!));
  });
});
