/**
 * Gate matrices and their derivatives.
 *
 * A d×d complex matrix is a Float64Array of 2·d² numbers, row-major with real and imaginary
 * parts interleaved: element (r, c) is [2(r·d + c)] + i·[2(r·d + c) + 1]. A 2×2 matrix is 8
 * numbers, a 4×4 one 32. A two-qubit matrix's index is 2·bit(first wire) + bit(second wire).
 *
 * Rotations are R_P(θ) = exp(−iθP/2) for the Pauli matrix P (their generator is P/2), so
 * dR_P/dθ = −(i/2)·P·R_P(θ): RX(θ) = [[c, −is], [−is, c]], RY(θ) = [[c, −s], [s, c]],
 * RZ(θ) = diag(e^{−iθ/2}, e^{iθ/2}), c = cos θ/2, s = sin θ/2.
 */
import type { ComplexMatrix, RotationAxis } from './circuit';

/** A d×d complex matrix, d = √(length/2), interleaved row-major (see the file comment). */
export type Matrix = Float64Array;

/** The side d of a matrix of 2·d² numbers. */
export function matrixDim(m: Matrix): number {
  const d = Math.round(Math.sqrt(m.length / 2));
  if (2 * d * d !== m.length) throw new Error(`A complex matrix has 2·d² numbers, not ${m.length}`);
  return d;
}

export function identity(d: number): Matrix {
  const m = new Float64Array(2 * d * d);
  for (let k = 0; k < d; k++) m[2 * (k * d + k)] = 1;
  return m;
}

export function rx(theta: number): Matrix {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return Float64Array.of(c, 0, 0, -s, 0, -s, c, 0);
}

export function ry(theta: number): Matrix {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return Float64Array.of(c, 0, -s, 0, s, 0, c, 0);
}

export function rz(theta: number): Matrix {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return Float64Array.of(c, -s, 0, 0, 0, 0, c, s);
}

/** The rotation about `axis` by θ radians. */
export function rotation(axis: RotationAxis, theta: number): Matrix {
  return axis === 'X' ? rx(theta) : axis === 'Y' ? ry(theta) : rz(theta);
}

/** Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ). */
export function rot(phi: number, theta: number, omega: number): Matrix {
  return matmul(rz(omega), matmul(ry(theta), rz(phi)));
}

export const PAULI_X: Matrix = Float64Array.of(0, 0, 1, 0, 1, 0, 0, 0);
export const PAULI_Y: Matrix = Float64Array.of(0, 0, 0, -1, 0, 1, 0, 0);
export const PAULI_Z: Matrix = Float64Array.of(1, 0, 0, 0, 0, 0, -1, 0);

/** The Pauli matrix P of R_P(θ) = exp(−iθP/2); the generator of the rotation is P/2. */
export function pauli(axis: RotationAxis): Matrix {
  return axis === 'X' ? PAULI_X : axis === 'Y' ? PAULI_Y : PAULI_Z;
}

/** dR_P/dθ = −(i/2)·P·R_P(θ). */
export function rotationDerivative(axis: RotationAxis, theta: number): Matrix {
  return scale(matmul(pauli(axis), rotation(axis, theta)), 0, -0.5);
}

/** CNOT with the control on the first wire: |a b⟩ → |a, a⊕b⟩. */
export const CNOT_MATRIX: Matrix = (() => {
  const m = new Float64Array(32);
  for (const [r, c] of [
    [0, 0],
    [1, 1],
    [2, 3],
    [3, 2],
  ])
    m[2 * (r * 4 + c)] = 1;
  return m;
})();

/** CZ = diag(1, 1, 1, −1). */
export const CZ_MATRIX: Matrix = (() => {
  const m = identity(4);
  m[2 * 15] = -1;
  return m;
})();

/** a·b for square matrices of the same side. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  const d = matrixDim(a);
  if (b.length !== a.length) throw new Error('matmul: the matrices differ in size');
  const out = new Float64Array(a.length);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < d; k++) {
        const ar = a[2 * (r * d + k)];
        const ai = a[2 * (r * d + k) + 1];
        const br = b[2 * (k * d + c)];
        const bi = b[2 * (k * d + c) + 1];
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      out[2 * (r * d + c)] = re;
      out[2 * (r * d + c) + 1] = im;
    }
  }
  return out;
}

/** The conjugate transpose. */
export function dagger(m: Matrix): Matrix {
  const d = matrixDim(m);
  const out = new Float64Array(m.length);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      out[2 * (c * d + r)] = m[2 * (r * d + c)];
      out[2 * (c * d + r) + 1] = -m[2 * (r * d + c) + 1];
    }
  }
  return out;
}

/** (re + i·im)·m. */
export function scale(m: Matrix, re: number, im: number): Matrix {
  const out = new Float64Array(m.length);
  for (let k = 0; k < m.length; k += 2) {
    out[k] = re * m[k] - im * m[k + 1];
    out[k + 1] = re * m[k + 1] + im * m[k];
  }
  return out;
}

/** The packed form of a JSON complex matrix. */
export function fromComplexMatrix(m: ComplexMatrix): Matrix {
  const d = m.re.length;
  const out = new Float64Array(2 * d * d);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) {
      out[2 * (r * d + c)] = m.re[r][c];
      out[2 * (r * d + c) + 1] = m.im[r][c];
    }
  }
  return out;
}

/** The JSON form of a packed matrix. */
export function toComplexMatrix(m: Matrix): ComplexMatrix {
  const d = matrixDim(m);
  const rows = (part: 0 | 1) =>
    Array.from({ length: d }, (_, r) =>
      Array.from({ length: d }, (_, c) => m[2 * (r * d + c) + part]),
    );
  return { re: rows(0), im: rows(1) };
}

/**
 * U3(θ, φ, λ) = [[cos θ/2, −e^{iλ}·sin θ/2], [e^{iφ}·sin θ/2, e^{i(φ+λ)}·cos θ/2]] (OpenQASM's
 * u3, up to the global phase some definitions add).
 */
export function u3(theta: number, phi: number, lambda: number): Matrix {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  return Float64Array.of(
    c,
    0,
    -Math.cos(lambda) * s,
    -Math.sin(lambda) * s,
    Math.cos(phi) * s,
    Math.sin(phi) * s,
    Math.cos(phi + lambda) * c,
    Math.sin(phi + lambda) * c,
  );
}

/** Below this modulus an entry of a unitary counts as zero when reading off U3 angles. */
const U3_ZERO = 1e-12;

/**
 * θ, φ, λ and the global phase α with m = e^{iα}·U3(θ, φ, λ), for a 2×2 unitary m. Where
 * sin θ/2 or cos θ/2 vanishes only φ + λ or φ − λ is defined; φ = 0 or λ = 0 is chosen.
 */
export function u3Angles(m: Matrix): {
  readonly theta: number;
  readonly phi: number;
  readonly lambda: number;
  readonly phase: number;
} {
  if (m.length !== 8) throw new Error(`u3Angles needs a 2×2 matrix, got ${m.length} numbers`);
  const arg = (re: number, im: number) => Math.atan2(im, re);
  const c = Math.hypot(m[0], m[1]);
  const s = Math.hypot(m[4], m[5]);
  const theta = 2 * Math.atan2(s, c);
  if (c > U3_ZERO) {
    const phase = arg(m[0], m[1]);
    if (s <= U3_ZERO) return { theta, phi: 0, lambda: arg(m[6], m[7]) - phase, phase };
    return {
      theta,
      phi: arg(m[4], m[5]) - phase,
      lambda: arg(-m[2], -m[3]) - phase,
      phase,
    };
  }
  // cos θ/2 = 0: m = e^{iα}·[[0, −e^{iλ}], [e^{iφ}, 0]]; take λ = 0.
  const phase = arg(-m[2], -m[3]);
  return { theta, phi: arg(m[4], m[5]) - phase, lambda: 0, phase };
}
