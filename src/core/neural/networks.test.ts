import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../util/rng';
import { kernelOptions, moeGateCpu } from './netKernels';
import { ParamSet, mixtureOfExperts } from './netLayers';
import type { ForwardContext } from './netLayers';
import { AdamW } from './netOptim';
import { buildNetwork, countParameters, restoreNetwork, trainNetwork } from './networks';
import { CONTROL_ENCODERS, DEFAULT_NEURAL_CONFIG, ENCODERS, FRAMEWORKS } from './types';
import type { EndpointRows, NeuralConfig, TrainingData } from './types';

const WIDTH = 4;

/** Synthetic rows: PK y = sin of a linear mix, PD y = a smooth function of x0, x1 (+ noise). */
function endpoint(rows: number, seed: number, kind: 'pk' | 'pd'): EndpointRows {
  const rng = createRng(seed);
  const x = new Float32Array(rows * WIDTH);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < WIDTH; j++) x[i * WIDTH + j] = rng.normal();
    const r = x.subarray(i * WIDTH, (i + 1) * WIDTH);
    y[i] =
      kind === 'pk'
        ? Math.sin(1.2 * r[0] + 0.6 * r[1]) + 0.3 * r[2]
        : Math.tanh(r[0]) - 0.5 * r[1] * r[1] + 0.4 * r[3];
    y[i] += 0.05 * rng.normal();
  }
  return { x, y, rows, width: WIDTH, subject: new Int32Array(rows) };
}

function data(rows: number, seed: number): TrainingData {
  return {
    pk: endpoint(rows, seed, 'pk'),
    pd: endpoint(rows, seed + 1000, 'pd'),
    featureNames: ['a', 'b', 'c', 'd'],
  };
}

const train = data(200, 1);
const validation = data(100, 2);

const SMALL: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  hidden: 16,
  blocks: 1,
  experts: 3,
  topK: 2,
  dropout: 0.05,
  learningRate: 1e-2,
  batchSize: 32,
  maxEpochs: 30,
  patience: 30,
};

function mse(pred: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return s / y.length;
}

function meanBaseline(trainY: Float32Array, y: Float32Array): number {
  const m = trainY.reduce((a, b) => a + b, 0) / trainY.length;
  return mse(new Float32Array(y.length).fill(m), y);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('trainNetwork: every encoder × framework learns', () => {
  for (const framework of FRAMEWORKS) {
    for (const encoder of ENCODERS) {
      it(`${framework} / ${encoder} beats predicting the mean on validation rows`, async () => {
        // A control's classical stand-in for a 4-qubit, 2-layer circuit is a 1-unit bottleneck
        // (its parameter budget); 4 layers give it 2 units, enough to learn these targets.
        const qlayers = CONTROL_ENCODERS.includes(encoder) ? 4 : SMALL.qlayers;
        const config = { ...SMALL, framework, encoder, qlayers };
        const net = await trainNetwork(train, validation, config);
        try {
          const pk = net.predictPk(validation.pk.x, validation.pk.rows);
          const pd = net.predictPd(validation.pd.x, validation.pd.rows);
          expect(pk.length).toBe(validation.pk.rows);
          expect(mse(pk, validation.pk.y)).toBeLessThan(
            0.5 * meanBaseline(train.pk.y, validation.pk.y),
          );
          expect(mse(pd, validation.pd.y)).toBeLessThan(
            0.5 * meanBaseline(train.pd.y, validation.pd.y),
          );
          expect(net.parameters).toBe(countParameters(config, WIDTH));
        } finally {
          net.dispose();
        }
      });
    }
  }
});

describe('countParameters', () => {
  it('equals the sum of the variable sizes for every encoder × framework', () => {
    for (const framework of FRAMEWORKS) {
      for (const encoder of ENCODERS) {
        const config = { ...SMALL, framework, encoder, blocks: 2 };
        const model = buildNetwork(config, WIDTH, createRng(1));
        const sum = model.params.variables.reduce((s, v) => s + v.size, 0);
        model.params.dispose();
        expect(countParameters(config, WIDTH)).toBe(sum);
      }
    }
  });

  it('matches hand counts', () => {
    const lin = (a: number, b: number) => a * b + b;
    const d = 5;
    const h = 8;
    // independent MLP, 2 layers per network: (Linear d→h, Linear h→h, head h→1) × 2
    const mlp = { ...SMALL, framework: 'independent' as const, encoder: 'mlp' as const, hidden: h };
    expect(countParameters({ ...mlp, blocks: 2 }, d)).toBe(2 * (lin(d, h) + lin(h, h) + lin(h, 1)));
    // cascade ResMLP, 1 block: the PD network has one more input (the PK prediction)
    const block = 2 * h + 2 * lin(h, h);
    const res = (din: number) => lin(din, h) + block + 2 * h + lin(h, 1);
    const cascade = { ...mlp, framework: 'cascade' as const, encoder: 'resmlp' as const };
    expect(countParameters({ ...cascade, blocks: 1 }, d)).toBe(res(d) + res(d + 1));
    // multitask MoE, 3 experts: shared (Linear, gate, 3 experts of 2 layers) + 2 heads
    const e = 3;
    const moe = { ...mlp, framework: 'multitask' as const, encoder: 'moe' as const, experts: e };
    expect(countParameters(moe, d)).toBe(lin(d, h) + lin(h, e) + e * 2 * lin(h, h) + 2 * lin(h, 1));
  });
});

describe('mixture of experts', () => {
  for (const fused of [true, false]) {
    it(`the balance loss has a non-zero gradient w.r.t. the gate weights (${fused ? 'fused CPU kernels' : 'composite tf ops'})`, () => {
      kernelOptions.fusedCpu = fused;
      try {
        const ps = new ParamSet();
        const moe = mixtureOfExperts(ps, 'moe', 8, 4, 2);
        ps.materialise(createRng(3));
        const gateIndex = ps.specs.findIndex((s) => s.name === 'moe/gate/w');
        const gate = ps.variables[gateIndex];
        const x = tf.randomNormal([32, 8], 0, 1, 'float32', 7) as tf.Tensor2D;
        const { value, grads } = tf.variableGrads(() => {
          const ctx: ForwardContext = { training: false, dropout: 0, rng: null, aux: [] };
          moe(x, ctx);
          return ctx.aux[0];
        }, [gate]);
        const norm = tf.norm(grads[gate.name]).dataSync()[0];
        // N·Σ f·P is 1 for a perfectly balanced gate and ≥ 1 in practice (≤ N).
        expect(value.dataSync()[0]).toBeGreaterThan(0.9);
        expect(value.dataSync()[0]).toBeLessThanOrEqual(4);
        expect(norm).toBeGreaterThan(1e-6);
        tf.dispose([value, grads[gate.name], x]);
        ps.dispose();
      } finally {
        kernelOptions.fusedCpu = true;
      }
    });
  }

  it('routes each row to its topK experts with weights summing to 1', () => {
    tf.tidy(() => {
      const logits = tf.randomNormal([20, 5], 0, 1, 'float32', 3) as tf.Tensor2D;
      const w = moeGateCpu(logits, 2).arraySync();
      const l = logits.arraySync();
      w.forEach((row, r) => {
        const chosen = row.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
        expect(chosen.length).toBe(2);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        const top2 = l[r]
          .map((v, i) => [v, i])
          .sort((a, b) => b[0] - a[0])
          .slice(0, 2)
          .map(([, i]) => i)
          .sort();
        expect(chosen).toEqual(top2);
        // Renormalised softmax: the ratio of the two weights is exp of the logit difference.
        expect(row[chosen[0]] / row[chosen[1]]).toBeCloseTo(
          Math.exp(l[r][chosen[0]] - l[r][chosen[1]]),
          4,
        );
      });
    });
  });
});

describe('cascade', () => {
  it('feeds the PK network’s own prediction to the PD network', () => {
    const config = { ...SMALL, framework: 'cascade' as const, encoder: 'resmlp' as const };
    const model = buildNetwork(config, WIDTH, createRng(2));
    const ctx = (): ForwardContext => ({ training: false, dropout: 0, rng: null, aux: [] });
    const x = tf.tensor2d(validation.pd.x, [validation.pd.rows, WIDTH]);
    const predictPd = () =>
      tf.tidy(() => model.forward(null, model.pdInput(x), ctx()).pd!.dataSync().slice());
    // The extra input column is exactly the PK prediction for the same rows.
    tf.tidy(() => {
      const pkCol = tf.slice(model.pdInput(x), [0, WIDTH], [-1, 1]).dataSync();
      const pk = model.forward(x, null, ctx()).pk!.dataSync();
      expect(Array.from(pkCol)).toEqual(Array.from(pk));
    });
    const before = predictPd();
    // Change only the PK network's weights: the PD prediction must change.
    model.params.specs.forEach((spec, i) => {
      if (spec.name.startsWith('pk/') && spec.name.endsWith('/b')) {
        const v = model.params.variables[i];
        v.assign(tf.tidy(() => tf.add(v, 0.5)));
      }
    });
    const after = predictPd();
    const changed = before.some((b, i) => Math.abs(b - after[i]) > 1e-4);
    expect(changed).toBe(true);
    x.dispose();
    model.params.dispose();
  });

  it('an independent PD network ignores the PK weights', () => {
    const config = { ...SMALL, framework: 'independent' as const, encoder: 'mlp' as const };
    const model = buildNetwork(config, WIDTH, createRng(2));
    const ctx: ForwardContext = { training: false, dropout: 0, rng: null, aux: [] };
    const x = tf.tensor2d(validation.pd.x, [validation.pd.rows, WIDTH]);
    const predictPd = () =>
      tf.tidy(() => model.forward(null, model.pdInput(x), ctx).pd!.dataSync().slice());
    const before = predictPd();
    model.params.specs.forEach((spec, i) => {
      if (spec.name.startsWith('pk/')) {
        const v = model.params.variables[i];
        v.assign(tf.tidy(() => tf.add(v, 0.5)));
      }
    });
    expect(Array.from(predictPd())).toEqual(Array.from(before));
    x.dispose();
    model.params.dispose();
  });
});

describe('training loop', () => {
  const quick = { ...SMALL, framework: 'cascade' as const, encoder: 'resmlp_moe' as const };

  it('is reproducible for a seed (dropout included) and differs between seeds', async () => {
    const run = async (seed: number) => {
      const losses: number[] = [];
      const net = await trainNetwork(
        train,
        validation,
        { ...quick, seed, maxEpochs: 2 },
        {
          onEpoch: (p) => losses.push(p.trainLoss, p.valLoss),
        },
      );
      const pred = net.predictPd(validation.pd.x, validation.pd.rows);
      net.dispose();
      return { losses, pred };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a.losses).toEqual(b.losses);
    expect(Array.from(a.pred)).toEqual(Array.from(b.pred));
    expect(a.losses[0]).not.toBe(c.losses[0]);
  });

  it('leaks no tensors across train + predict + dispose', async () => {
    await tf.ready();
    const start = tf.memory().numTensors;
    // Every framework with the fused CPU kernels, and the composite tf ops (the GPU path).
    const runs = [
      ...FRAMEWORKS.map((framework) => ({ framework, fused: true })),
      { framework: 'cascade' as const, fused: false },
    ];
    for (const { framework, fused } of runs) {
      kernelOptions.fusedCpu = fused;
      try {
        const net = await trainNetwork(train, validation, { ...quick, framework, maxEpochs: 2 });
        net.predictPk(validation.pk.x, validation.pk.rows);
        net.predictPd(validation.pd.x, validation.pd.rows);
        net.dispose();
        net.dispose(); // idempotent
      } finally {
        kernelOptions.fusedCpu = true;
      }
      expect(tf.memory().numTensors, `${framework}, fused ${fused}`).toBe(start);
    }
  });

  it('stops when shouldStop says so', async () => {
    let epochs = 0;
    const net = await trainNetwork(
      train,
      validation,
      { ...quick, maxEpochs: 50 },
      {
        onEpoch: () => (epochs += 1),
        shouldStop: () => epochs >= 3,
      },
    );
    expect(net.epochs).toBe(3);
    expect(epochs).toBe(3);
    net.dispose();
  });

  it('early-stops with patience and restores the best epoch’s weights', async () => {
    const progress: { epoch: number; valLoss: number; bestEpoch: number }[] = [];
    // A high learning rate and no decay make the validation loss bounce.
    const config = {
      ...SMALL,
      framework: 'independent' as const,
      encoder: 'mlp' as const,
      learningRate: 0.05,
      maxEpochs: 60,
      patience: 4,
    };
    const net = await trainNetwork(train, validation, config, {
      onEpoch: (p) => progress.push(p),
    });
    expect(net.epochs).toBe(progress.length);
    expect(net.epochs).toBeLessThan(config.maxEpochs); // patience ran out
    expect(net.epochs - net.bestEpoch).toBeLessThanOrEqual(config.patience);
    const best = progress.find((p) => p.epoch === net.bestEpoch)!;
    expect(best.valLoss).toBe(Math.min(...progress.map((p) => p.valLoss)));
    // The returned weights are the best epoch's: its validation loss is reproduced.
    const val =
      mse(net.predictPk(validation.pk.x, validation.pk.rows), validation.pk.y) +
      mse(net.predictPd(validation.pd.x, validation.pd.rows), validation.pd.y);
    expect(val).toBeCloseTo(best.valLoss, 4);
    net.dispose();
  });

  it('rejects rows of the wrong width', async () => {
    const net = await trainNetwork(train, validation, { ...quick, maxEpochs: 1 });
    expect(() => net.predictPk(new Float32Array(6), 2)).toThrow();
    net.dispose();
    expect(() => net.predictPk(validation.pk.x, validation.pk.rows)).toThrow();
  });
});

describe('fused CPU kernels', () => {
  it('give the composite tf ops’ loss and gradients for every encoder (dropout on)', () => {
    for (const encoder of ENCODERS) {
      const config = { ...SMALL, framework: 'cascade' as const, encoder, dropout: 0.2 };
      const model = buildNetwork(config, WIDTH, createRng(4));
      const vars = model.params.variables as tf.Variable[];
      const run = (fused: boolean) => {
        kernelOptions.fusedCpu = fused;
        try {
          return tf.tidy(() => {
            const xPk = tf.tensor2d(train.pk.x.subarray(0, 40 * WIDTH), [40, WIDTH]);
            const yPk = tf.tensor2d(train.pk.y.subarray(0, 40), [40, 1]);
            const pdIn = model.pdInput(
              tf.tensor2d(train.pd.x.subarray(0, 30 * WIDTH), [30, WIDTH]),
            );
            const yPd = tf.tensor2d(train.pd.y.subarray(0, 30), [30, 1]);
            const ctx: ForwardContext = {
              training: true,
              dropout: 0.2,
              rng: createRng(9),
              aux: [],
            };
            const { value, grads } = tf.variableGrads(() => {
              const out = model.forward(xPk, pdIn, ctx);
              const loss = tf.add(
                tf.losses.meanSquaredError(yPk, out.pk!),
                tf.losses.meanSquaredError(yPd, out.pd!),
              );
              return (ctx.aux.length ? tf.add(loss, tf.addN(ctx.aux)) : loss) as tf.Scalar;
            }, vars);
            return {
              loss: value.dataSync()[0],
              grads: vars.map((v) => Array.from(grads[v.name].dataSync())),
            };
          });
        } finally {
          kernelOptions.fusedCpu = true;
        }
      };
      const fused = run(true);
      const composite = run(false);
      expect(fused.loss).toBeCloseTo(composite.loss, 5);
      fused.grads.forEach((g, i) => {
        const c = composite.grads[i];
        const scale = Math.max(1e-3, ...c.map(Math.abs));
        const worst = Math.max(...g.map((v, j) => Math.abs(v - c[j])));
        expect(worst / scale, `${encoder} ${model.params.specs[i].name}`).toBeLessThan(1e-4);
      });
      model.params.dispose();
    }
  });
});

describe('AdamW', () => {
  it('the JavaScript (CPU) and tf-op updates agree', () => {
    const init = [
      tf.tensor2d([0.5, -1, 2, 0.1], [2, 2]),
      tf.tensor1d([0.3, -0.2]), // a bias: no weight decay
    ];
    const a = init.map((t) => tf.variable(t.clone()));
    const b = init.map((t) => tf.variable(t.clone()));
    const decay = [true, false];
    const optA = new AdamW(a, decay, true);
    const optB = new AdamW(b, decay, false);
    for (let s = 0; s < 5; s++) {
      const grads = [tf.tensor2d([0.1 * s, -0.2, 0.3, 1], [2, 2]), tf.tensor1d([-1, 0.5 * s])];
      optA.step(grads, 0.01, 0.1);
      optB.step(grads, 0.01, 0.1);
      tf.dispose(grads);
    }
    for (let i = 0; i < a.length; i++) {
      const x = a[i].dataSync();
      const y = b[i].dataSync();
      for (let j = 0; j < x.length; j++) expect(x[j]).toBeCloseTo(y[j], 5);
    }
    // A decayed weight with a zero gradient shrinks by (1 − lr·wd) per step.
    const w = tf.variable(tf.tensor1d([1]));
    const opt = new AdamW([w], [true], true);
    const zero = tf.tensor1d([0]);
    opt.step([zero], 0.1, 0.5);
    expect(w.dataSync()[0]).toBeCloseTo(0.95, 6);
    optA.dispose();
    optB.dispose();
    opt.dispose();
    tf.dispose([...init, ...a, ...b, w, zero]);
  });
});

describe('saved weights and Monte Carlo dropout', () => {
  it('restoreNetwork reads exported weights back to the same predictions', async () => {
    const config = { ...SMALL, framework: 'cascade' as const, encoder: 'resmlp_moe' as const };
    const net = await trainNetwork(train, validation, { ...config, maxEpochs: 3 });
    const weights = net.exportWeights();
    const back = restoreNetwork(config, WIDTH, weights, { bestEpoch: 2, epochs: 3 });
    try {
      expect(back.parameters).toBe(net.parameters);
      expect(back.bestEpoch).toBe(2);
      const x = validation.pd.x;
      const n = validation.pd.rows;
      expect(Array.from(back.predictPd(x, n))).toEqual(Array.from(net.predictPd(x, n)));
      expect(Array.from(back.predictPk(x, n))).toEqual(Array.from(net.predictPk(x, n)));
    } finally {
      net.dispose();
      back.dispose();
    }
  });

  it('restoreNetwork refuses weights that do not fit the config', async () => {
    const net = await trainNetwork(train, validation, { ...SMALL, maxEpochs: 1 });
    const weights = net.exportWeights();
    net.dispose();
    expect(() => restoreNetwork({ ...SMALL, hidden: 8 }, WIDTH, weights)).toThrow(/shape/);
    expect(() => restoreNetwork(SMALL, WIDTH, weights.slice(1))).toThrow(/lack/);
    const bad = weights.map((w, i) =>
      i === 0 ? { ...w, values: Float32Array.from(w.values, () => NaN) } : w,
    );
    expect(() => restoreNetwork(SMALL, WIDTH, bad)).toThrow(/non-finite/);
    const extra = [...weights, { name: 'x/w', shape: [1], values: new Float32Array(1) }];
    expect(() => restoreNetwork(SMALL, WIDTH, extra)).toThrow(/not a parameter/);
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('a dropout seed gives a reproducible sample that differs from the prediction', async () => {
    const config = { ...SMALL, dropout: 0.2, maxEpochs: 2 };
    const net = await trainNetwork(train, validation, config);
    try {
      const x = validation.pk.x;
      const n = validation.pk.rows;
      const det = net.predictPk(x, n);
      const a = net.predictPk(x, n, 7);
      const b = net.predictPk(x, n, 7);
      const c = net.predictPk(x, n, 8);
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(det));
      expect(Array.from(a)).not.toEqual(Array.from(c));
      // One sample is one thinned network: the same row twice gives the same value.
      const twice = new Float32Array(2 * WIDTH);
      twice.set(x.subarray(0, WIDTH), 0);
      twice.set(x.subarray(0, WIDTH), WIDTH);
      for (const encoder of ['mlp', 'moe'] as const) {
        const other =
          encoder === 'mlp' ? net : await trainNetwork(train, validation, { ...config, encoder });
        const pair = other.predictPd(twice, 2, 3);
        expect(pair[0]).toBe(pair[1]);
        if (other !== net) other.dispose();
      }
      // The deterministic prediction does not depend on earlier samples.
      expect(Array.from(net.predictPk(x, n))).toEqual(Array.from(det));
    } finally {
      net.dispose();
    }
  });
});
