import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NEURAL_SETTINGS,
  neuralSettingsProblems,
  restoreNeuralSettings,
} from './neuralSlice';

describe('neural settings', () => {
  it('the defaults can train', () => {
    expect(neuralSettingsProblems(DEFAULT_NEURAL_SETTINGS)).toEqual([]);
  });

  it('names each setting out of range', () => {
    const bad = {
      ...DEFAULT_NEURAL_SETTINGS,
      config: { ...DEFAULT_NEURAL_SETTINGS.config, hidden: 0, dropout: 0.95, blocks: 1.5 },
      testFraction: 0.9,
    };
    const problems = neuralSettingsProblems(bad).join(' ');
    expect(problems).toMatch(/hidden/);
    expect(problems).toMatch(/dropout/);
    expect(problems).toMatch(/blocks must be a whole number/);
    expect(problems).toMatch(/held-out share/);
  });

  it('top-k above the number of experts is refused for MoE encoders only', () => {
    const c = { ...DEFAULT_NEURAL_SETTINGS.config, experts: 2, topK: 3 };
    expect(
      neuralSettingsProblems({ ...DEFAULT_NEURAL_SETTINGS, config: { ...c, encoder: 'moe' } }),
    ).toHaveLength(1);
    expect(
      neuralSettingsProblems({ ...DEFAULT_NEURAL_SETTINGS, config: { ...c, encoder: 'mlp' } }),
    ).toHaveLength(0);
  });

  it('restores valid saved settings and replaces anything else by the default', () => {
    const saved = {
      config: {
        framework: 'multitask',
        encoder: 'moe',
        head: 'parameters',
        hidden: 32,
        dropout: 'lots',
        maxEpochs: -3,
        logTargets: true,
      },
      baseline: true,
      testFraction: 0.3,
      backend: 'quantum',
    };
    const r = restoreNeuralSettings(saved);
    expect(r.config.framework).toBe('multitask');
    expect(r.config.encoder).toBe('moe');
    expect(r.config.head).toBe('parameters');
    expect(r.config.hidden).toBe(32);
    expect(r.config.logTargets).toBe(true);
    expect(r.config.dropout).toBe(DEFAULT_NEURAL_SETTINGS.config.dropout);
    expect(r.config.maxEpochs).toBe(DEFAULT_NEURAL_SETTINGS.config.maxEpochs);
    expect(r.baseline).toBe(true);
    expect(r.testFraction).toBe(0.3);
    expect(r.backend).toBe('auto');
    expect(restoreNeuralSettings(null)).toEqual(DEFAULT_NEURAL_SETTINGS);
    expect(restoreNeuralSettings({ config: { framework: 'nope' } }).config.framework).toBe(
      DEFAULT_NEURAL_SETTINGS.config.framework,
    );
  });
});
