import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import {
  expConvolution,
  expConvolution2,
  expConvolution3,
  expConvolution3FromExps,
  expConvolution4,
  expConvolutionOrdered,
  expConvolutionPair,
} from './linearExpConvolution';

/**
 * Reference values computed with mpmath at 300 digits from the divided-difference form
 * Σ_i e^{−x_i t} / Π_{j≠i}(x_j − x_i) (coincident rates separated by 1e-60), rounded to the
 * nearest double, at t = 0.1, 2, 4.9, 5.1, 24, 60 h: close, equal and distant rates, on both
 * sides of the switch between the series and the recurrence.
 */
const TIMES = [0.1, 2, 4.9, 5.1, 24, 60];
const REFERENCE: { rates: number[]; values: number[] }[] = [
  {
    rates: [0.2, 0.2 + 1e-9, 0.2 - 1e-9],
    values: [
      0.004900993366533777, 1.3406400920712787, 4.505609741711051, 4.689537196950883,
      2.370167150117768, 0.011059582235990774,
    ],
  },
  {
    rates: [0.2, 0.21, 0.205],
    values: [
      0.00489854358442558, 1.3273115611470105, 4.396783497303913, 4.5717135282527,
      2.104673474645388, 0.00825477322601847,
    ],
  },
  {
    rates: [0.5, 0.5, 0.05],
    values: [
      0.004828299207092217, 1.0166245916554033, 2.4994251531426452, 2.556234115986574,
      1.487020791142878, 0.24586206600120394,
    ],
  },
  {
    rates: [1.5, 0.055, 0.0551, 0],
    values: [
      0.00016015499161207994, 0.6829563658548393, 5.217127579554919, 5.669964071391723,
      80.87245530706626, 184.17043424313826,
    ],
  },
  {
    rates: [0, 0.001, 1.2, 1.2000001],
    values: [
      0.00015701329589511763, 0.46219179390621823, 2.2540198753577134, 2.3900303251995263,
      15.336881548058818, 39.34992361918209,
    ],
  },
  {
    rates: [0.3, 0.3, 0.3, 0.31],
    values: [
      0.00016170049511321868, 0.7281046902174808, 4.453725969484713, 4.726858328086841,
      1.6216881015336815, 0.00047499815055870414,
    ],
  },
  {
    rates: [1.5, 0.055, 0.3, 0],
    values: [
      0.00015917255904911314, 0.5995039616661192, 3.7858331240878007, 4.06319381454002,
      26.69311948657033, 38.509815469283076,
    ],
  },
];

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe('exponential convolutions Φ', () => {
  it('matches the textbook formulas for well separated rates', () => {
    const [a, b, c] = [1.5, 0.055, 0.3];
    for (const t of [0.1, 1, 7, 40]) {
      const ea = Math.exp(-a * t);
      const eb = Math.exp(-b * t);
      const ec = Math.exp(-c * t);
      expectClose(expConvolution2(a, b, t), (eb - ea) / (a - b), {
        rel: 1e-13,
        context: `Φ(a,b;${t})`,
      });
      const three = ea / ((b - a) * (c - a)) + eb / ((a - b) * (c - b)) + ec / ((a - c) * (b - c));
      expectClose(expConvolution3(a, b, c, t), three, { rel: 1e-12, context: `Φ(a,b,c;${t})` });
    }
  });

  it('has the confluent limits t^{n−1}/(n−1)!·e^{−kt} when all rates coincide', () => {
    for (const k of [0, 0.01, 0.7, 3]) {
      for (const t of [0, 0.5, 2, 30]) {
        for (let n = 1; n <= 4; n++) {
          const want = (t ** (n - 1) / factorial(n - 1)) * Math.exp(-k * t);
          expectClose(expConvolution(new Array(n).fill(k), n, t), want, {
            rel: 1e-14,
            abs: 1e-300,
            context: `n ${n}, k ${k}, t ${t}`,
          });
        }
      }
    }
  });

  it('matches 60-digit reference values for close, equal and distant rates', () => {
    for (const { rates, values } of REFERENCE) {
      TIMES.forEach((t, i) =>
        expectClose(expConvolution(rates, rates.length, t), values[i], {
          rel: 1e-12,
          context: `Φ(${rates.join(', ')}; ${t})`,
        }),
      );
    }
  });

  it('is symmetric in its rates and positive', () => {
    const rates = [0.9, 0.04, 0.041, 0];
    const perms = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
    ];
    const values = perms.map((p) =>
      expConvolution(
        p.map((i) => rates[i]),
        4,
        11,
      ),
    );
    values.push(expConvolution4(rates[2], rates[0], rates[3], rates[1], 11));
    expect(values[0]).toBeGreaterThan(0);
    values.forEach((v) => expectClose(v, values[0], { rel: 1e-13 }));
  });

  it('gives the same values from precomputed exponentials (the hot path)', () => {
    const rates = Float64Array.of(0.06, 0.0014, 0.9, 0);
    const order = Int8Array.of(3, 1, 0, 2);
    for (const t of [0, 0.01, 1, 9, 100]) {
      const exps = rates.map((x) => Math.exp(-x * t));
      expectClose(expConvolutionOrdered(rates, exps, order, 0, 3, t), expConvolution(rates, 4, t), {
        rel: 1e-12,
        abs: 1e-300,
        context: `t ${t}`,
      });
      expectClose(
        expConvolutionPair(0.9, 0.06, exps[2], exps[0], t),
        expConvolution2(0.9, 0.06, t),
        { rel: 1e-13 },
      );
      for (const [x, y, z] of [
        [0.06, 0.0014, 0.9],
        [0.9, 0.06, 0.0014],
        [0.06, 0.0601, 0.06005],
        [0.5, 0.5, 0.5],
      ]) {
        const fromExps = expConvolution3FromExps(
          x,
          y,
          z,
          Math.exp(-x * t),
          Math.exp(-y * t),
          Math.exp(-z * t),
          t,
        );
        expectClose(fromExps, expConvolution3(x, y, z, t), {
          rel: 1e-12,
          abs: 1e-300,
          context: `Φ(${x}, ${y}, ${z}; ${t})`,
        });
      }
    }
  });

  it('rejects more than four rates', () => {
    expect(() => expConvolution([1, 2, 3, 4, 5], 5, 1)).toThrow(/1 to 4 rates/);
  });
});
