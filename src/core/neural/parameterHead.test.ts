import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { bolus } from '../../testing/doses';
import { importNonmem } from '../data/importNonmem';
import type { Dataset } from '../data/types';
import { simulatePkPd } from '../pkpd/pd';
import type { DoseEvent } from '../pkpd/types';
import { createRng } from '../util/rng';
import {
  buildFeatureTable,
  buildTrainingData,
  fitScaler,
  predictRegimen,
  regimenFeatures,
  scaleFeatures,
  type FeatureTable,
  type Scaler,
} from './features';
import type { ForwardContext } from './netLayers';
import { countParameters, restoreNetwork, trainNetwork } from './networks';
import { defineParameterNetwork, TARGET_SCALING_WEIGHT } from './parameterHead';
import { fitTypicalParameters } from './parameterHeadInit';
import { engineParameters, type HeadParameters } from './parameterHeadModel';
import {
  DEFAULT_NEURAL_CONFIG,
  ENCODERS,
  FRAMEWORKS,
  type NeuralConfig,
  type TrainingData,
} from './types';

/**
 * A synthetic trial simulated by the engine from known covariate relations, in the parameter
 * head's own model family: CL ∝ BW^0.75, V ∝ BW, COMED lowers the baseline by 30%, small
 * between-subject variability on CL and E0, 5% proportional noise. Daily doses of 1, 3 or
 * 10 mg for a week, then a wash-out.
 */
const TRUE_TYPICAL: HeadParameters = {
  CL: 0.1,
  V: 10,
  ka: 1.5,
  baseline: 10,
  emaxFraction: -0.8,
  EC50: 0.5,
  ke0: 0.05,
  hill: 1,
};
const COMED_BASELINE_FACTOR = 0.7;

function trueParameters(bw: number, comed: number, etaCl = 0, etaE0 = 0): HeadParameters {
  return {
    ...TRUE_TYPICAL,
    CL: TRUE_TYPICAL.CL * (bw / 70) ** 0.75 * Math.exp(etaCl),
    V: TRUE_TYPICAL.V * (bw / 70),
    baseline: TRUE_TYPICAL.baseline * (comed ? COMED_BASELINE_FACTOR : 1) * Math.exp(etaE0),
  };
}

const PK_TIMES = [1, 4, 12, 24, 49, 72, 146, 150, 168, 200, 260];
const PD_TIMES = [0, ...PK_TIMES];

function syntheticTrial(subjects: number, seed: number): Dataset {
  const rng = createRng(seed);
  const lines = ['ID,TIME,DV,AMT,EVID,MDV,CMT,DVID,II,ADDL,BW,COMED'];
  for (let i = 1; i <= subjects; i++) {
    const bw = Math.round(50 + 50 * rng.uniform());
    const comed = i % 2;
    const dose = [1, 3, 10][i % 3];
    const p = trueParameters(bw, comed, 0.1 * rng.normal(), 0.05 * rng.normal());
    const doses = [bolus(0, dose, 1, { ii: 24, addl: 6 })];
    const tail = `,${bw},${comed}`;
    lines.push(`${i},0,.,${dose},1,1,1,0,24,6${tail}`);
    const sim = simulatePkPd(engineParameters(p), doses, PD_TIMES);
    PD_TIMES.forEach((t, k) => {
      const noise = () => 1 + 0.05 * rng.normal();
      if (t > 0) lines.push(`${i},${t},${sim.concentration[k] * noise()},0,0,0,2,1,0,0${tail}`);
      lines.push(`${i},${t},${sim.biomarker![k] * noise()},0,0,0,3,2,0,0${tail}`);
    });
  }
  const res = importNonmem(lines.join('\n') + '\n', { name: 'synthetic' });
  if (!res.ok) throw new Error('synthetic trial did not import');
  return res.dataset;
}

const ds = syntheticTrial(48, 5);
const table: FeatureTable = buildFeatureTable(ds);
const subjects = ds.subjects.map((_, i) => i);
const trainSubjects = subjects.filter((i) => i % 8 !== 0 && i % 8 !== 1);
const validationSubjects = subjects.filter((i) => i % 8 === 0);
const testSubjects = subjects.filter((i) => i % 8 === 1);
const scaler: Scaler = fitScaler(table, trainSubjects);
const train = buildTrainingData(table, scaler, trainSubjects);
const validation = buildTrainingData(table, scaler, validationSubjects);
const test = buildTrainingData(table, scaler, testSubjects);
const WIDTH = table.featureNames.length;

const CONFIG: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  head: 'parameters',
  framework: 'cascade',
  encoder: 'resmlp',
  hidden: 16,
  blocks: 1,
  experts: 3,
  topK: 2,
  dropout: 0,
  learningRate: 1e-2,
  maxEpochs: 60,
  patience: 60,
};

function mse(pred: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return s / y.length;
}

/** MSE of predicting the training mean (0 on the scaled axis). */
const meanMse = (y: Float32Array) => mse(new Float32Array(y.length), y);

/** One scaled feature row of a patient (covariates only matter to the parameter head). */
const patientRow = (BW: number, COMED: number) =>
  scaleFeatures(scaler, regimenFeatures([], { BW, COMED }, [0]), 1);

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('parameter head: training data', () => {
  it('carries each row’s dose history and the target scaling', () => {
    expect(train.targets).toEqual({ logTargets: false, pk: scaler.pk, pd: scaler.pd });
    const doses = train.pk.doses!;
    expect(doses.elapsed.length).toBe(train.pk.rows * doses.slots);
    // Seven daily doses at most; the 24 h sample is a trough (the 24 h dose not yet given).
    expect(doses.slots).toBe(7);
    // Row 0 is the first training subject's 1 h sample (one dose), row 3 its 24 h trough.
    const amounts = (k: number) => Array.from(doses.amount.subarray(k * 7, k * 7 + 7));
    expect(amounts(0).filter((a) => a > 0)).toHaveLength(1);
    expect(amounts(3).filter((a) => a > 0)).toHaveLength(1);
    expect(doses.elapsed[3 * 7]).toBe(24);
  });

  it('starts from a pooled fit close to the typical values', () => {
    const p = fitTypicalParameters(train);
    // Pooled over BW and COMED (and their effects), the typical subject is near the truth.
    expectClose(p.CL, TRUE_TYPICAL.CL, { rel: 0.2, context: 'CL' });
    expectClose(p.V, TRUE_TYPICAL.V, { rel: 0.2, context: 'V' });
    expectClose(p.baseline, TRUE_TYPICAL.baseline * 0.85, { rel: 0.1, context: 'E0' });
    expect(p.emaxFraction).toBeLessThan(-0.5);
  });
});

describe('parameter head: learns the covariate relations of a simulated trial', () => {
  for (const framework of FRAMEWORKS) {
    it(`${framework}: beats the mean and recovers CL(BW) and E0(COMED)`, async () => {
      const net = await trainNetwork(train, validation, { ...CONFIG, framework });
      try {
        const pk = net.predictPk(test.pk.x, test.pk.rows, undefined, test.pk.doses);
        const pd = net.predictPd(test.pd.x, test.pd.rows, undefined, test.pd.doses);
        expect(mse(pk, test.pk.y)).toBeLessThan(0.1 * meanMse(test.pk.y));
        expect(mse(pd, test.pd.y)).toBeLessThan(0.1 * meanMse(test.pd.y));
        for (const [bw, comed] of [
          [55, 0],
          [95, 1],
        ]) {
          const p = net.individualParameters!(patientRow(bw, comed));
          const truth = trueParameters(bw, comed);
          expectClose(p.pk.CL, truth.CL, { rel: 0.3, context: `${framework}: CL at ${bw} kg` });
          expectClose(p.pd!.baseline, truth.baseline, {
            rel: 0.15,
            context: `${framework}: E0 with COMED ${comed}`,
          });
        }
        const light = net.individualParameters!(patientRow(75, 0)).pd!.baseline;
        const comed = net.individualParameters!(patientRow(75, 1)).pd!.baseline;
        expectClose(comed / light, COMED_BASELINE_FACTOR, { abs: 0.1, context: 'COMED effect' });
      } finally {
        net.dispose();
      }
    }, 20_000);
  }
});

describe('parameter head: predictions are the engine’s simulation of its parameters', () => {
  it.each(FRAMEWORKS)(
    '%s: for any regimen, also a long one predicted in chunks',
    async (framework) => {
      const net = await trainNetwork(train, validation, { ...CONFIG, framework, maxEpochs: 5 });
      try {
        const covariates = { BW: 82, COMED: 1 };
        const parameters = net.individualParameters!(patientRow(82, 1));
        const regimens: [string, DoseEvent[], number[]][] = [
          ['weekly', [bolus(0, 20, 1, { ii: 168, addl: 3 })], [2, 30, 170, 400, 700]],
          // 400 daily doses at 700 times: 280,000 dose slots, more than one chunk.
          [
            'long',
            [bolus(0, 2, 1, { ii: 24, addl: 399 })],
            Array.from({ length: 700 }, (_, i) => 0.5 + i * 13.7),
          ],
        ];
        for (const [name, doses, times] of regimens) {
          const ours = predictRegimen(net, scaler, doses, covariates, times);
          const engine = simulatePkPd(parameters, doses, times, { rtol: 1e-9, atol: 1e-12 });
          times.forEach((t, i) => {
            expectClose(ours.concentration[i], engine.concentration[i], {
              rel: 1e-3,
              abs: 1e-4,
              context: `${framework}, ${name}: C at ${t} h`,
            });
            expectClose(ours.biomarker[i], engine.biomarker![i], {
              rel: 1e-3,
              context: `${framework}, ${name}: E at ${t} h`,
            });
          });
        }
        // Without dose histories the parameter head cannot predict, and says why.
        expect(() => net.predictPk(test.pk.x, test.pk.rows)).toThrow(/dose history/);
      } finally {
        net.dispose();
      }
    },
  );
});

describe('parameter head: every framework × encoder', () => {
  for (const framework of FRAMEWORKS) {
    it(`${framework}: trains, restores to identical predictions and leaks no tensor`, async () => {
      const start = tf.memory().numTensors;
      for (const encoder of ENCODERS) {
        const config = { ...CONFIG, framework, encoder, maxEpochs: 3, dropout: 0.1 };
        const net = await trainNetwork(train, validation, config);
        const back = restoreNetwork(config, WIDTH, net.exportWeights(), {
          bestEpoch: net.bestEpoch,
          epochs: net.epochs,
        });
        try {
          expect(net.epochs).toBe(3);
          expect(net.parameters).toBe(countParameters(config, WIDTH, table.featureNames));
          expect(back.parameters).toBe(net.parameters);
          const { x, rows, doses } = test.pd;
          const pd = net.predictPd(x, rows, undefined, doses);
          expect(pd.every(Number.isFinite), `${encoder} PD`).toBe(true);
          expect(Array.from(back.predictPd(x, rows, undefined, doses))).toEqual(Array.from(pd));
          const pk = test.pk;
          expect(Array.from(back.predictPk(pk.x, pk.rows, undefined, pk.doses))).toEqual(
            Array.from(net.predictPk(pk.x, pk.rows, undefined, pk.doses)),
          );
          const row = patientRow(70, 0);
          expect(back.individualParameters!(row)).toEqual(net.individualParameters!(row));
          // A Monte Carlo dropout sample: reproducible for its seed, not the prediction.
          const a = net.predictPd(x, rows, 3, doses);
          expect(Array.from(net.predictPd(x, rows, 3, doses))).toEqual(Array.from(a));
          expect(Array.from(a)).not.toEqual(Array.from(pd));
        } finally {
          net.dispose();
          back.dispose();
        }
      }
      expect(tf.memory().numTensors, framework).toBe(start);
    }, 30_000);
  }

  it('refuses what it cannot use', async () => {
    const net = await trainNetwork(train, validation, { ...CONFIG, maxEpochs: 1 });
    const weights = net.exportWeights();
    net.dispose();
    const lacking = weights.filter((w) => w.name !== TARGET_SCALING_WEIGHT);
    expect(() => restoreNetwork(CONFIG, WIDTH, lacking)).toThrow(/targetScaling/);
    expect(() =>
      restoreNetwork(
        CONFIG,
        WIDTH,
        weights,
        undefined,
        table.featureNames.map((n) => `x${n}`),
      ),
    ).toThrow(/covariates/);
    const noTargets: TrainingData = { ...train, targets: undefined };
    await expect(trainNetwork(noTargets, validation, CONFIG)).rejects.toThrow(/target scaling/);
    const noDoses: TrainingData = { ...train, pk: { ...train.pk, doses: undefined } };
    await expect(trainNetwork(noDoses, validation, CONFIG)).rejects.toThrow(/dose history/);
  });
});

describe('parameter head: gradients', () => {
  for (const framework of FRAMEWORKS) {
    it(`${framework}: the loss has a finite, non-zero gradient for every head parameter`, () => {
      const config = { ...CONFIG, framework };
      const graph = defineParameterNetwork(config, WIDTH, {
        featureNames: table.featureNames,
        typical: fitTypicalParameters(train),
        targets: train.targets!,
      });
      graph.params.materialise(createRng(1));
      const vars = graph.params.variables as tf.Variable[];
      const grads: { name: string; values: number[]; shape: readonly number[] }[] = [];
      tf.tidy(() => {
        const rows = (r: TrainingData['pk']) => ({
          x: tf.tensor2d(r.x, [r.rows, WIDTH]),
          elapsed: tf.tensor2d(r.doses!.elapsed, [r.rows, r.doses!.slots]),
          amount: tf.tensor2d(r.doses!.amount, [r.rows, r.doses!.slots]),
        });
        const pk = rows(train.pk);
        const pd = graph.pdRows(rows(train.pd));
        const { grads: g } = tf.variableGrads(() => {
          const ctx: ForwardContext = { training: false, dropout: 0, rng: null, aux: [] };
          const out = graph.forward(pk, pd, ctx);
          const yPk = tf.tensor2d(train.pk.y, [train.pk.rows, 1]);
          const yPd = tf.tensor2d(train.pd.y, [train.pd.rows, 1]);
          return tf.add(
            tf.losses.meanSquaredError(yPk, out.pk!),
            tf.losses.meanSquaredError(yPd, out.pd!),
          ) as tf.Scalar;
        }, vars);
        graph.params.specs.forEach((spec, i) =>
          grads.push({
            name: spec.name,
            values: Array.from(g[vars[i].name].dataSync()),
            shape: spec.shape,
          }),
        );
      });
      for (const g of grads) {
        expect(g.values.every(Number.isFinite), g.name).toBe(true);
        if (!/^(pk|pd)\/params\//.test(g.name)) continue;
        // Every output (each model parameter) gets a gradient: per bias, per weight column.
        const outputs = g.shape[g.shape.length - 1];
        for (let k = 0; k < outputs; k++) {
          const column = g.values.filter((_, j) => j % outputs === k);
          expect(Math.max(...column.map(Math.abs)), `${g.name} output ${k}`).toBeGreaterThan(0);
        }
      }
      graph.params.dispose();
    });
  }
});
