import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { bolus } from '../../testing/doses';
import { simulatePkPd } from '../pkpd/pd';
import type { DoseEvent } from '../pkpd/types';
import { regimenDoseHistory } from './features';
import { kernelOptions } from './netKernels';
import {
  effect,
  effectConcentration,
  oralConcentration,
  type LogPd,
  type LogPk,
} from './parameterHeadKinetics';
import { engineParameters, headCoordinates, type HeadParameters } from './parameterHeadModel';

/**
 * The parameter head's closed forms in tf against the PK/PD engine (an independent
 * implementation: exact linear PK and an ODE solver for the effect compartment), for a regimen
 * with II/ADDL, a reset-and-dose (EVID 4) and uneven times; on both the fused CPU kernels and
 * the composite tf ops (what WebGL/WebGPU run).
 */

/** float32 model vs double-precision engine: a few float32 ulps, amplified by cancellation. */
const REL = 1e-4;

const REGIMEN: DoseEvent[] = [
  bolus(0, 5, 1, { ii: 24, addl: 4 }), // 0, 24, …, 96 h
  bolus(130, 2),
  { time: 200, amt: 8, cmt: 1, evid: 4 }, // reset, then a dose
  bolus(212, 3, 1, { ii: 12, addl: 3 }), // 212, …, 248 h
];
// Away from the reset itself (where the features' and the engine's orders of events differ).
const TIMES = [0.5, 1, 3, 10, 23.9, 24.5, 50, 96.25, 131, 150, 199, 200.5, 205, 230, 260, 400];

const CASES: Record<string, HeadParameters> = {
  // Like the challenge drug: slow elimination, slower effect site, inhibition.
  typical: {
    CL: 0.045,
    V: 9.5,
    ka: 1,
    baseline: 10,
    emaxFraction: -0.85,
    EC50: 1.2,
    ke0: 0.015,
    hill: 1.3,
  },
  // ka, ke and ke0 within 0.1% of each other: every series branch; a rising biomarker.
  'close rates': {
    CL: 0.5,
    V: 10,
    ka: 0.05005,
    baseline: 8,
    emaxFraction: 0.6,
    EC50: 0.3,
    ke0: 0.04998,
    hill: 0.8,
  },
  // Fast absorption, elimination and effect site.
  fast: { CL: 2, V: 5, ka: 30, baseline: 4, emaxFraction: -0.5, EC50: 0.05, ke0: 2, hill: 2 },
};

/** [B, 1] columns of the coordinates of `p`, for `rows` rows. */
function logColumns(p: HeadParameters, rows: number): { pk: LogPk; pd: LogPd } {
  const z = headCoordinates(p);
  const col = (v: number) => tf.fill([rows, 1], v) as tf.Tensor2D;
  return {
    pk: { logCL: col(z.pk[0]), logV: col(z.pk[1]), logKa: col(z.pk[2]) },
    pd: {
      logBaseline: col(z.pd[0]),
      logMaxRatio: col(z.pd[1]),
      logEC50: col(z.pd[2]),
      logKe0: col(z.pd[3]),
      logHill: col(z.pd[4]),
    },
  };
}

function predict(p: HeadParameters, regimen: readonly DoseEvent[], times: readonly number[]) {
  const doses = regimenDoseHistory(regimen, times);
  return tf.tidy(() => {
    const n = times.length;
    const elapsed = tf.tensor2d(doses.elapsed, [n, doses.slots]);
    const amount = tf.tensor2d(doses.amount, [n, doses.slots]);
    const { pk, pd } = logColumns(p, n);
    const c = oralConcentration(pk, elapsed, amount);
    const ce = effectConcentration(pk, pd.logKe0, elapsed, amount);
    return {
      concentration: Array.from(c.dataSync()),
      biomarker: Array.from(effect(ce, pd).dataSync()),
    };
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('parameter head kinetics against the PK/PD engine', () => {
  for (const fused of [true, false]) {
    for (const [name, p] of Object.entries(CASES)) {
      it(`${name} (${fused ? 'fused CPU kernels' : 'composite tf ops'})`, () => {
        kernelOptions.fusedCpu = fused;
        try {
          const ours = predict(p, REGIMEN, TIMES);
          const engine = simulatePkPd(engineParameters(p), REGIMEN, TIMES, {
            rtol: 1e-10,
            atol: 1e-12,
          });
          const cScale = Math.max(...engine.concentration);
          TIMES.forEach((t, i) => {
            expectClose(ours.concentration[i], engine.concentration[i], {
              rel: REL,
              abs: 1e-6 * cScale,
              context: `${name}: C at ${t} h`,
            });
            expectClose(ours.biomarker[i], engine.biomarker![i], {
              rel: REL,
              abs: 1e-6 * p.baseline,
              context: `${name}: biomarker at ${t} h`,
            });
          });
        } finally {
          kernelOptions.fusedCpu = true;
        }
      });
    }
  }

  it('predicts nothing before the first dose and the baseline without drug', () => {
    const p = CASES.typical;
    const out = predict(p, [bolus(10, 5)], [0, 5, 10]);
    expect(out.concentration).toEqual([0, 0, 0]);
    out.biomarker.forEach((e) => expectClose(e, p.baseline, { rel: 1e-6 }));
  });
});

describe('parameter head kinetics: gradients', () => {
  /** Σ_i w_i·C_i + Σ_i v_i·E_i and its gradient w.r.t. the eight log-parameter columns. */
  function lossAndGradient(p: HeadParameters, fused: boolean) {
    kernelOptions.fusedCpu = fused;
    try {
      const doses = regimenDoseHistory(REGIMEN, TIMES);
      return tf.tidy(() => {
        const n = TIMES.length;
        const elapsed = tf.tensor2d(doses.elapsed, [n, doses.slots]);
        const amount = tf.tensor2d(doses.amount, [n, doses.slots]);
        const w = tf.tensor2d(
          TIMES.map((_, i) => 1 + 0.1 * i),
          [n, 1],
        );
        const z = headCoordinates(p);
        const vars = [...z.pk, ...z.pd].map((v) => tf.variable(tf.fill([n, 1], v)));
        const { grads } = tf.variableGrads(() => {
          const [logCL, logV, logKa, logBaseline, logMaxRatio, logEC50, logKe0, logHill] =
            vars as unknown as tf.Tensor2D[];
          const pk = { logCL, logV, logKa };
          const c = oralConcentration(pk, elapsed, amount);
          const ce = effectConcentration(pk, logKe0, elapsed, amount);
          const e = effect(ce, { logBaseline, logMaxRatio, logEC50, logKe0, logHill });
          return tf.sum(tf.mul(w, tf.add(c, e))) as tf.Scalar;
        }, vars);
        const out = vars.map((v) => tf.sum(grads[v.name]).dataSync()[0]);
        tf.dispose(vars);
        return out;
      });
    } finally {
      kernelOptions.fusedCpu = true;
    }
  }

  /** The same loss from the engine, in double precision. */
  function engineLoss(p: HeadParameters): number {
    const sim = simulatePkPd(engineParameters(p), REGIMEN, TIMES, { rtol: 1e-12, atol: 1e-14 });
    return TIMES.reduce(
      (s, _, i) => s + (1 + 0.1 * i) * (sim.concentration[i] + sim.biomarker![i]),
      0,
    );
  }

  const NAMES = ['CL', 'V', 'ka', 'baseline', 'emaxFraction', 'EC50', 'ke0', 'hill'] as const;

  it('match central differences of the engine (fused kernels) and the composite ops', () => {
    const p = CASES.typical;
    const fused = lossAndGradient(p, true);
    const composite = lossAndGradient(p, false);
    const h = 1e-5;
    NAMES.forEach((name, k) => {
      // Move coordinate k (a log, or log(1 + f) for the effect fraction) by ±h.
      const moved = (s: number): HeadParameters =>
        name === 'emaxFraction'
          ? { ...p, emaxFraction: (1 + p.emaxFraction) * Math.exp(s * h) - 1 }
          : { ...p, [name]: p[name] * Math.exp(s * h) };
      const fd = (engineLoss(moved(1)) - engineLoss(moved(-1))) / (2 * h);
      expect(Number.isFinite(fused[k]), name).toBe(true);
      expect(Math.abs(fused[k]), name).toBeGreaterThan(0);
      expectClose(fused[k], fd, { rel: 1e-3, abs: 1e-4, context: `fused ∂/∂${name}` });
      expectClose(composite[k], fd, { rel: 1e-3, abs: 1e-4, context: `composite ∂/∂${name}` });
    });
  });

  it('stay finite when the rates coincide', () => {
    for (const fused of [true, false]) {
      const g = lossAndGradient(CASES['close rates'], fused);
      g.forEach((v, k) => expect(Number.isFinite(v), `${NAMES[k]}, fused ${fused}`).toBe(true));
    }
  });
});
