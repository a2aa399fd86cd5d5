import { describe, expect, it, vi } from 'vitest';
import { setFixed } from './fitSpecEdits';
import { activePredictor } from './activeModel';
import { DEMO_TRUTH_ID } from './slices/savedFitsSlice';
import { useWorkbench } from './store';
import { fakeFitResult } from '../testing/fakeFit';

// A quick stand-in for the FOCE-I fitter with its contract (progress, shouldStop, cancel error,
// shouldFinish: the last iterate marked cancelled).
vi.mock('../core/nlme/fit', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../core/nlme/fit')>();
  return {
    ...actual,
    fitPopulation: vi.fn(async (ds, spec, _opts, cb) => {
      for (let i = 1; i <= 5; i++) {
        if (cb?.shouldStop?.()) throw new actual.FitCancelledError();
        if (cb?.shouldFinish?.()) {
          const last = { iteration: i - 1, phase: 'estimation' as const };
          return { ...fakeFitResult(spec, ds), converged: false, cancelled: last };
        }
        cb?.onProgress?.({ iteration: i, ofv: 50 - i, phase: 'estimation', elapsedMs: 10 * i });
        await new Promise((r) => setTimeout(r, 1));
      }
      return fakeFitResult(spec, ds);
    }),
  };
});

// Local storage as a browser has it, so the persisted settings can be checked.
const memoryStorage = await vi.hoisted(async () =>
  (await import('../testing/memoryStorage')).installMemoryStorage(),
);

const state = () => useWorkbench.getState();

describe('the fit slices (Node: no Worker, no IndexedDB)', () => {
  it('follow the data set, fit, save, feed the Regimen explorer, export, import, cancel and delete', async () => {
    await state().loadDemo(7);
    // The spec follows the data set: the default model for the demo is PK + indirect response.
    expect(state().fitModelName).toBe('pk1-oral-idr1');
    expect(state().fitSpec?.endpoints).toBe('pkpd');

    state().chooseFitModel('pk1-oral');
    expect(state().fitSpec?.name).toBe('pk1-oral');
    expect(state().fitCovariateChoices.map((c) => `${c.covariate} on ${c.parameter}`)).toEqual([
      'BW on CL',
      'BW on V',
    ]);
    state().editFitSpec((s) => setFixed(s, 'ka', true));
    expect(state().fitSpec?.parameters.find((p) => p.name === 'ka')?.fixed).toBe(true);

    await state().runFit();
    expect(state().fitStatus).toBe('done');
    expect(state().fitHistory.length).toBeGreaterThan(0);
    expect(state().fitResult?.spec.parameters.find((p) => p.name === 'ka')?.fixed).toBe(true);
    const [saved] = state().savedFits;
    expect(saved).toMatchObject({ modelName: 'pk1-oral', dataName: 'Demo trial (seed 7)' });
    expect(state().currentFitId).toBe(saved.id);
    // No IndexedDB here: the fit stays for the session, and the user is told.
    expect(state().fitStorageMessage).toMatch(/IndexedDB/);
    // Local storage keeps the small settings (which fit is open), never the result.
    const persisted = JSON.parse(memoryStorage.getItem('pkpd-workbench') ?? '{}').state;
    expect(persisted).toMatchObject({ fitModelName: 'pk1-oral', currentFitId: saved.id });
    expect(persisted.fitSpec.name).toBe('pk1-oral');
    expect(persisted.fitResult).toBeUndefined();

    // Opening a saved fit can make its spec the one being edited again.
    state().chooseFitModel('pk2-oral');
    await state().loadSavedFit(saved.id, { adoptSpec: true });
    expect(state().fitSpec?.name).toBe('pk1-oral');
    expect(state().fitSpec?.parameters.find((p) => p.name === 'ka')?.fixed).toBe(true);

    // A fitted model is a model like any other for the Regimen explorer.
    expect(activePredictor(state()).id).toBe(DEMO_TRUTH_ID);
    state().setRegimenModel(saved.id);
    const predictor = activePredictor(state());
    expect(predictor).toMatchObject({ id: saved.id, kind: 'mechanistic' });
    expect(predictor.domain?.doseRange).toEqual([1, 10]);
    expect(predictor.domain?.intervals).toEqual([24]);
    expect(activePredictor(state())).toBe(predictor);

    const file = await state().exportFit(saved.id);
    expect(file?.fileName).toMatch(/\.fit\.json$/);
    await state().importFitFile('copy.fit.json', file!.text);
    expect(state().savedFits).toHaveLength(2);
    expect(state().fitFileMessage).toMatchObject({ kind: 'ok' });
    await state().importFitFile('notes.json', '{"hello": 1}');
    expect(state().savedFits).toHaveLength(2);
    expect(state().fitFileMessage).toMatchObject({ kind: 'error' });
    expect(state().fitFileMessage?.text).toMatch(/notes\.json was not imported/);

    const run = state().runFit();
    expect(state().fitStatus).toBe('running');
    state().cancelFit();
    await run;
    // A cancelled fit keeps its last iterate: shown and saved, marked as cancelled.
    expect(state().fitStatus).toBe('cancelled');
    expect(state().fitMessage).toMatch(/^Fit cancelled at iteration \d+: the last iterate/);
    expect(state().fitResult?.cancelled?.phase).toBe('estimation');
    expect(state().savedFits).toHaveLength(3);

    await state().deleteFit(saved.id);
    expect(state().savedFits).toHaveLength(2);
    expect(state().regimenModelId).toBe(DEMO_TRUTH_ID);
  });

  it('refuses to fit an invalid spec and says why', async () => {
    await state().loadDemo(7);
    state().chooseFitModel('pk1-oral');
    state().editFitSpec((s) => ({
      ...s,
      parameters: s.parameters.map((p) => (p.name === 'CL' ? { ...p, initial: 0 } : p)),
    }));
    await state().runFit();
    expect(state().fitStatus).toBe('error');
    expect(state().fitMessage).toMatch(/CL: the initial value must be greater than 0/);
  });
});
