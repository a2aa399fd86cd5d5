import { describe, expect, it, vi } from 'vitest';
import { attainmentAt } from '../../core/dosing/attainment';
import { useWorkbench } from '../store';
import {
  ATTAINMENT_SUBJECTS,
  bandsKey,
  DEFAULT_POPULATION,
  POPULATION_DEBOUNCE_MS,
  sanitizePopulation,
} from './regimenSlice';

// Local storage as a browser has it, so the persisted settings can be checked.
await vi.hoisted(async () => (await import('../../testing/memoryStorage')).installMemoryStorage());

const state = () => useWorkbench.getState();

async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('population settings', () => {
  it('are made valid: whole sizes in range, ordered weights, fractions in [0, 1]', () => {
    expect(sanitizePopulation({})).toEqual(DEFAULT_POPULATION);
    expect(
      sanitizePopulation({ size: 12.4, seed: -3, bwMin: 120, bwMax: 40, comedFraction: 2 }),
    ).toEqual({ size: 50, seed: 0, bwMin: 40, bwMax: 120, comedFraction: 1 });
    expect(sanitizePopulation({ size: NaN, bwMin: 10, bwMax: 500 })).toMatchObject({
      size: DEFAULT_POPULATION.size,
      bwMin: 30,
      bwMax: 160,
    });
  });
});

describe('the Regimen panel in population mode (Node: the jobs run on the main thread)', () => {
  it('computes bands and attainment, looks the dose up, follows the inputs and stops in patient mode', async () => {
    state().setPopulation({ size: 60 });
    state().setRegimenMode('population');
    state().syncPopulation();
    expect(state().bandsStatus).toBe('running');
    expect(state().attainmentStatus).toBe('running');
    await until(
      () => state().bandsStatus === 'done' && state().attainmentStatus === 'done',
      'the first results',
    );
    const bands = state().populationBands;
    expect(bands?.key).toBe(bandsKey(state()));
    expect(bands?.result.subjects).toBe(60);
    const attainment = state().populationAttainment?.result;
    expect(attainment?.subjects).toBe(ATTAINMENT_SUBJECTS);
    const at3 = attainmentAt(attainment!, 3);
    expect(at3).toBeGreaterThan(0);
    expect(at3).toBeLessThan(1);

    // A new dose needs new bands but not new counts: the fraction is a look-up.
    const attainmentBefore = state().populationAttainment;
    state().setRegimen({ dose: 5 });
    state().syncPopulation();
    expect(state().attainmentStatus).toBe('done');
    expect(state().bandsStatus).toBe('running');
    expect(attainmentAt(attainmentBefore!.result, 5)).toBeGreaterThan(at3);
    // Superseded before it ran: only the last dose is simulated.
    state().setRegimen({ dose: 6 });
    state().syncPopulation();
    await until(() => state().bandsStatus === 'done', 'the bands for 6 mg');
    expect(state().populationBands?.key).toBe(bandsKey(state()));
    expect(state().populationAttainment).toBe(attainmentBefore);

    // A new threshold needs new counts.
    state().setThreshold({ value: 2.5 });
    state().syncPopulation();
    expect(state().attainmentStatus).toBe('running');
    // Patient mode stops the pending work and leaves the last results alone.
    state().setRegimenMode('patient');
    state().syncPopulation();
    expect(state().attainmentStatus).toBe('idle');
    await new Promise((r) => setTimeout(r, POPULATION_DEBOUNCE_MS + 100));
    expect(state().populationAttainment).toBe(attainmentBefore);

    // Back in population mode the counts for the new threshold come.
    state().setRegimenMode('population');
    state().syncPopulation();
    await until(() => state().attainmentStatus === 'done', 'the counts for 2.5 ng/mL');
    expect(state().populationAttainment?.result.question.threshold.value).toBe(2.5);
    expect(attainmentAt(state().populationAttainment!.result, 3)).toBeLessThan(at3);

    // The mode and the population are kept for the next visit.
    const saved = JSON.parse(localStorage.getItem('pkpd-workbench') ?? '{}').state;
    expect(saved.regimenMode).toBe('population');
    expect(saved.population).toEqual({ ...DEFAULT_POPULATION, size: 60 });
    expect(saved.populationBands).toBeUndefined();
  });

  it('says in plain words why the population cannot be simulated', async () => {
    state().setRegimenMode('population');
    state().setRegimen({ interval: -1 });
    state().syncPopulation();
    await until(
      () => state().bandsStatus === 'error' && state().attainmentStatus === 'error',
      'the errors',
    );
    expect(state().bandsMessage).toMatch(/could not be simulated: Dosing interval must be > 0 h/);
    expect(state().attainmentMessage).toMatch(/Dosing interval must be > 0 h/);
  });
});

describe('opening a shared regimen link', () => {
  const shared = {
    regimen: { dose: 7, interval: 12, doses: 30, loadingDose: 0, cmt: 1 },
    intervalChoice: '12' as const,
    patient: { BW: 64, COMED: 1 as const },
    threshold: { value: 2.5, direction: 'below' as const },
    regimenMode: 'patient' as const,
    population: DEFAULT_POPULATION,
    modelId: 'demo-truth',
    modelLabel: "Demo trial's true model",
  };

  it('takes every setting and the model when this browser has it, and opens the panel', () => {
    useWorkbench.setState({ activePanel: 'data' });
    state().openSharedRegimen({ ok: true, shared });
    expect(state()).toMatchObject({
      regimen: shared.regimen,
      intervalChoice: '12',
      patient: shared.patient,
      threshold: shared.threshold,
      regimenModelId: 'demo-truth',
      activePanel: 'regimen',
    });
    expect(state().sharedNotice).toEqual({
      kind: 'info',
      text: 'Opened a shared regimen: 7 mg every 12 h × 30, biomarker below 2.5 ng/mL.',
    });
    state().dismissSharedNotice();
    expect(state().sharedNotice).toBeNull();
  });

  it('keeps the current model when the link names one this browser lacks, and says so', () => {
    const before = state().regimenModelId;
    state().openSharedRegimen({
      ok: true,
      shared: { ...shared, modelId: 'fit-elsewhere', modelLabel: 'A fit on their data' },
    });
    expect(state().regimenModelId).toBe(before);
    expect(state().regimen).toEqual(shared.regimen);
    expect(state().sharedNotice?.kind).toBe('error');
    expect(state().sharedNotice?.text).toMatch(
      /model \(“A fit on their data”\) is not in this browser, so the current model is used/,
    );
  });

  it('changes nothing but the notice when the link is broken', () => {
    const regimen = state().regimen;
    state().openSharedRegimen({ ok: false, message: 'This regimen link cannot be used: x.' });
    expect(state().regimen).toBe(regimen);
    expect(state().sharedNotice).toEqual({
      kind: 'error',
      text: 'This regimen link cannot be used: x.',
    });
  });
});
