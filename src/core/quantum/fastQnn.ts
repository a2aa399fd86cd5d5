/**
 * The fused CPU kernel of the hybrid layer's circuit (the seed's circuit, DOMAIN.md): batched
 * forward simulation and adjoint-method gradients, one sample at a time on a reused Float64
 * state. The plain simulator (simulate.ts, adjoint.ts) is the reference it is tested against;
 * this one is what training runs on the CPU.
 *
 * The circuit on n wires, per layer l: RY(x_i) then RX(x_i) on every wire, Rot(w[l,i,·]) =
 * RZ(w[l,i,2])·RY(w[l,i,1])·RZ(w[l,i,0]) on every wire, then CNOT(i, (i+1) mod n) for i = 0..n−1.
 * Readout, 4n values: ⟨X_i⟩, ⟨Y_i⟩, ⟨Z_i⟩ for every wire, then ⟨Z_i Z_{i+1 mod n}⟩.
 *
 * Why it is fast:
 * - The five rotations of one wire in one layer act on that wire alone and commute with the
 *   other wires' rotations, so they are one 2×2 unitary U = RZ·RY·RZ·RX·RY: one pass over the
 *   state per wire and layer instead of five.
 * - The CNOT ring is a fixed permutation of basis states: one gather per layer.
 * - The adjoint method needs no stored intermediate states: going backwards it undoes each
 *   U on ψ and on λ = M·ψ (M = Σ_k dL/do_k · O_k) and, in the same pass, accumulates the 2×2
 *   environment R_ba = Σ_rest ψ_before[b]·conj(λ[a]). Then dL/dθ = 2·Re tr(∂U/∂θ · R) for each of
 *   the five angles is 2×2 arithmetic.
 * Wire 0 is the most significant bit of a basis index (PennyLane's convention).
 */

/** Readout values per wire: ⟨X⟩, ⟨Y⟩, ⟨Z⟩ and ⟨Z Z_next⟩. */
export const OUTPUTS_PER_WIRE = 4;

export interface QnnShape {
  readonly nQubits: number;
  readonly nLayers: number;
}

/** 2×2 complex matrix, row-major: [re00, im00, re01, im01, re10, im10, re11, im11]. */
type Mat2 = Float64Array;

function mat2(): Mat2 {
  return new Float64Array(8);
}

/** out = a·b (out must not alias a or b). */
function mul2(a: Mat2, b: Mat2, out: Mat2): Mat2 {
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 2; c++) {
      const a0r = a[r * 4];
      const a0i = a[r * 4 + 1];
      const a1r = a[r * 4 + 2];
      const a1i = a[r * 4 + 3];
      const b0r = b[c * 2];
      const b0i = b[c * 2 + 1];
      const b1r = b[4 + c * 2];
      const b1i = b[4 + c * 2 + 1];
      out[r * 4 + c * 2] = a0r * b0r - a0i * b0i + a1r * b1r - a1i * b1i;
      out[r * 4 + c * 2 + 1] = a0r * b0i + a0i * b0r + a1r * b1i + a1i * b1r;
    }
  }
  return out;
}

function setRy(m: Mat2, theta: number): Mat2 {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  m.set([c, 0, -s, 0, s, 0, c, 0]);
  return m;
}

function setRz(m: Mat2, theta: number): Mat2 {
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);
  m.set([c, -s, 0, 0, 0, 0, c, s]);
  return m;
}

/** dR/dθ = −(i/2)·G·R(θ) for R = exp(−iθG/2), G the gate's Pauli matrix. */

function setRyDerivative(m: Mat2, theta: number): Mat2 {
  const c = Math.cos(theta / 2) / 2;
  const s = Math.sin(theta / 2) / 2;
  m.set([-s, 0, -c, 0, c, 0, -s, 0]);
  return m;
}

function setRzDerivative(m: Mat2, theta: number): Mat2 {
  const c = Math.cos(theta / 2) / 2;
  const s = Math.sin(theta / 2) / 2;
  m.set([-s, -c, 0, 0, 0, 0, -s, c]);
  return m;
}

/** 2·Re tr(d·R) for 2×2 complex d and R. */
function twiceReTrace(d: Mat2, r: Mat2): number {
  // tr(d·R) = Σ_ab d_ab R_ba
  const t =
    d[0] * r[0] -
    d[1] * r[1] +
    (d[2] * r[4] - d[3] * r[5]) +
    (d[4] * r[2] - d[5] * r[3]) +
    (d[6] * r[6] - d[7] * r[7]);
  return 2 * t;
}

/**
 * The basis-state permutation of the CNOT ring CNOT(0,1), CNOT(1,2), …, CNOT(n−1,0): the ring
 * sends basis state b to forward[b].
 */
export function cnotRingPermutation(nQubits: number): Int32Array {
  const size = 1 << nQubits;
  const forward = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    let v = b;
    for (let i = 0; i < nQubits; i++) {
      const control = 1 << (nQubits - 1 - i);
      const target = 1 << (nQubits - 1 - ((i + 1) % nQubits));
      if (v & control) v ^= target;
    }
    forward[b] = v;
  }
  return forward;
}

/**
 * The encoding block of one wire, V(x) = RX(x)·RY(x), and dV/dx, in closed form: with
 * c = cos x/2, s = sin x/2, V = [[c² − i·s², −cs·(1 + i)], [cs·(1 − i), c² + i·s²]].
 */
function setEncoding(v: Mat2, dv: Mat2, x: number): void {
  const c = Math.cos(x / 2);
  const s = Math.sin(x / 2);
  const cc = c * c;
  const ss = s * s;
  const cs = c * s;
  v[0] = cc;
  v[1] = -ss;
  v[2] = -cs;
  v[3] = -cs;
  v[4] = cs;
  v[5] = -cs;
  v[6] = cc;
  v[7] = ss;
  // d(c²)/dx = −cs, d(s²)/dx = cs, d(cs)/dx = (c² − s²)/2
  const h = (cc - ss) / 2;
  dv[0] = -cs;
  dv[1] = -cs;
  dv[2] = -h;
  dv[3] = -h;
  dv[4] = h;
  dv[5] = -h;
  dv[6] = -cs;
  dv[7] = cs;
}

/** Scratch and tables for one circuit shape, reused across samples and calls. */
class Workspace {
  readonly size: number;
  /** ψ, λ = M·ψ and the permutation's target buffers (swapped with ψ and λ, not copied). */
  re: Float64Array;
  im: Float64Array;
  lre: Float64Array;
  lim: Float64Array;
  spareRe: Float64Array;
  spareIm: Float64Array;
  readonly ring: Int32Array;
  /** Rot(w[l,i,·]) and its derivatives by w[l,i,0..2], per layer and wire (layer·n + wire). */
  readonly rot: Mat2[];
  readonly rotDerivatives: Mat2[][];
  /** The current sample's V(x_i) and dV/dx_i per wire, and U = Rot·V per layer and wire. */
  readonly encoding: Mat2[];
  readonly encodingDerivative: Mat2[];
  readonly unitaries: Mat2[];
  readonly scratch = [mat2(), mat2(), mat2(), mat2()];

  constructor(readonly shape: QnnShape) {
    if (!Number.isInteger(shape.nQubits) || shape.nQubits < 2 || shape.nQubits > 20)
      throw new Error(`The circuit needs 2–20 qubits, not ${shape.nQubits}`);
    if (!Number.isInteger(shape.nLayers) || shape.nLayers < 1)
      throw new Error(`The circuit needs at least one layer, not ${shape.nLayers}`);
    const n = shape.nQubits;
    const cells = shape.nLayers * n;
    this.size = 1 << n;
    this.re = new Float64Array(this.size);
    this.im = new Float64Array(this.size);
    this.lre = new Float64Array(this.size);
    this.lim = new Float64Array(this.size);
    this.spareRe = new Float64Array(this.size);
    this.spareIm = new Float64Array(this.size);
    this.ring = cnotRingPermutation(n);
    this.rot = Array.from({ length: cells }, mat2);
    this.rotDerivatives = Array.from({ length: cells }, () => [mat2(), mat2(), mat2()]);
    this.encoding = Array.from({ length: n }, mat2);
    this.encodingDerivative = Array.from({ length: n }, mat2);
    this.unitaries = Array.from({ length: cells }, mat2);
  }

  /** Rot(w) = RZ(w2)·RY(w1)·RZ(w0) of every layer and wire, and its three derivatives. */
  setWeights(w: ArrayLike<number>): void {
    const [a, b, c, t] = this.scratch;
    for (let k = 0; k < this.rot.length; k++) {
      const w0 = w[3 * k];
      const w1 = w[3 * k + 1];
      const w2 = w[3 * k + 2];
      const [d0, d1, d2] = this.rotDerivatives[k];
      setRz(a, w2);
      setRy(b, w1);
      setRz(c, w0);
      mul2(a, mul2(b, c, t), this.rot[k]);
      setRzDerivative(a, w2);
      mul2(a, t, d2);
      setRz(a, w2);
      setRzDerivative(c, w0);
      mul2(a, mul2(b, c, t), d0);
      setRz(c, w0);
      setRyDerivative(b, w1);
      mul2(a, mul2(b, c, t), d1);
    }
  }

  /** One sample's V(x_i), dV/dx_i and U = Rot·V of every layer and wire. */
  setSample(x: ArrayLike<number>, offset: number): void {
    const n = this.shape.nQubits;
    for (let i = 0; i < n; i++)
      setEncoding(this.encoding[i], this.encodingDerivative[i], x[offset + i]);
    for (let k = 0; k < this.unitaries.length; k++)
      mul2(this.rot[k], this.encoding[k % n], this.unitaries[k]);
  }
}

const workspaces = new Map<string, Workspace>();

function workspaceFor(shape: QnnShape): Workspace {
  const key = `${shape.nQubits}x${shape.nLayers}`;
  let ws = workspaces.get(key);
  if (!ws) {
    ws = new Workspace(shape);
    workspaces.set(key, ws);
  }
  return ws;
}

/** Applies a 2×2 unitary to `wire` of the state (re, im). */
function applyToWire(
  re: Float64Array,
  im: Float64Array,
  size: number,
  nQubits: number,
  wire: number,
  u: Mat2,
): void {
  const stride = 1 << (nQubits - 1 - wire);
  const u00r = u[0];
  const u00i = u[1];
  const u01r = u[2];
  const u01i = u[3];
  const u10r = u[4];
  const u10i = u[5];
  const u11r = u[6];
  const u11i = u[7];
  for (let base = 0; base < size; base += 2 * stride) {
    const end = base + stride;
    for (let p0 = base; p0 < end; p0++) {
      const p1 = p0 + stride;
      const ar = re[p0];
      const ai = im[p0];
      const br = re[p1];
      const bi = im[p1];
      re[p0] = u00r * ar - u00i * ai + u01r * br - u01i * bi;
      im[p0] = u00r * ai + u00i * ar + u01r * bi + u01i * br;
      re[p1] = u10r * ar - u10i * ai + u11r * br - u11i * bi;
      im[p1] = u10r * ai + u10i * ar + u11r * bi + u11i * br;
    }
  }
}

/** Applies the CNOT ring (or its inverse) to ψ, and to λ when asked, by swapping buffers. */
function permute(ws: Workspace, inverse: boolean, withLambda: boolean): void {
  const { ring, size } = ws;
  for (let pass = 0; pass < (withLambda ? 2 : 1); pass++) {
    const re = pass === 0 ? ws.re : ws.lre;
    const im = pass === 0 ? ws.im : ws.lim;
    const outRe = ws.spareRe;
    const outIm = ws.spareIm;
    if (inverse) {
      for (let b = 0; b < size; b++) {
        outRe[b] = re[ring[b]];
        outIm[b] = im[ring[b]];
      }
    } else {
      for (let b = 0; b < size; b++) {
        outRe[ring[b]] = re[b];
        outIm[ring[b]] = im[b];
      }
    }
    ws.spareRe = re;
    ws.spareIm = im;
    if (pass === 0) {
      ws.re = outRe;
      ws.im = outIm;
    } else {
      ws.lre = outRe;
      ws.lim = outIm;
    }
  }
}

/** Runs the current sample's circuit (ws.setSample first) from |0…0⟩ into ψ. */
function runCircuit(ws: Workspace): void {
  const { nQubits: n, nLayers: layers } = ws.shape;
  ws.re.fill(0);
  ws.im.fill(0);
  ws.re[0] = 1;
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < n; i++) applyToWire(ws.re, ws.im, ws.size, n, i, ws.unitaries[l * n + i]);
    permute(ws, false, false);
  }
}

/** Writes the 4n readouts of ψ to out[offset …]. */
function readout(ws: Workspace, out: Float32Array | Float64Array, offset: number): void {
  const n = ws.shape.nQubits;
  const { re, im, size } = ws;
  for (let i = 0; i < n; i++) {
    const stride = 1 << (n - 1 - i);
    let xr = 0;
    let xi = 0;
    let z = 0;
    for (let base = 0; base < size; base += 2 * stride) {
      const end = base + stride;
      for (let p0 = base; p0 < end; p0++) {
        const p1 = p0 + stride;
        // conj(ψ0)·ψ1
        xr += re[p0] * re[p1] + im[p0] * im[p1];
        xi += re[p0] * im[p1] - im[p0] * re[p1];
        z += re[p0] * re[p0] + im[p0] * im[p0] - re[p1] * re[p1] - im[p1] * im[p1];
      }
    }
    out[offset + i] = 2 * xr;
    out[offset + n + i] = 2 * xi;
    out[offset + 2 * n + i] = z;
  }
  for (let i = 0; i < n; i++) {
    const bi = n - 1 - i;
    const bj = n - 1 - ((i + 1) % n);
    let zz = 0;
    for (let b = 0; b < size; b++) {
      const p = re[b] * re[b] + im[b] * im[b];
      zz += ((b >> bi) ^ (b >> bj)) & 1 ? -p : p;
    }
    out[offset + 3 * n + i] = zz;
  }
}

/** λ = M·ψ with M = Σ_k g_k·O_k over the 4n readout observables (g = dL/d readouts). */
function applyObservable(ws: Workspace, g: ArrayLike<number>, gOffset: number): void {
  const n = ws.shape.nQubits;
  const { re, im, lre, lim, size } = ws;
  for (let b = 0; b < size; b++) {
    let d = 0;
    for (let i = 0; i < n; i++) {
      const zi = (b >> (n - 1 - i)) & 1 ? -1 : 1;
      const zj = (b >> (n - 1 - ((i + 1) % n))) & 1 ? -1 : 1;
      d += g[gOffset + 2 * n + i] * zi + g[gOffset + 3 * n + i] * zi * zj;
    }
    lre[b] = d * re[b];
    lim[b] = d * im[b];
  }
  for (let i = 0; i < n; i++) {
    const gx = g[gOffset + i];
    const gy = g[gOffset + n + i];
    if (gx === 0 && gy === 0) continue;
    const stride = 1 << (n - 1 - i);
    for (let base = 0; base < size; base += 2 * stride) {
      const end = base + stride;
      for (let p0 = base; p0 < end; p0++) {
        const p1 = p0 + stride;
        // λ0 += (gx − i·gy)·ψ1, λ1 += (gx + i·gy)·ψ0
        lre[p0] += gx * re[p1] + gy * im[p1];
        lim[p0] += gx * im[p1] - gy * re[p1];
        lre[p1] += gx * re[p0] - gy * im[p0];
        lim[p1] += gx * im[p0] + gy * re[p0];
      }
    }
  }
}

/**
 * One pass over the pairs of `wire`: ψ ← U†·ψ, λ ← U†·λ, and the environment
 * R_ba = Σ_rest ψ_before[b]·conj(λ_after[a]) (ψ after its undo, λ before its own) into r.
 */
function undoWire(ws: Workspace, wire: number, u: Mat2, r: Mat2): void {
  const n = ws.shape.nQubits;
  const { re, im, lre, lim, size } = ws;
  // U† = conjugate transpose of U
  const v00r = u[0];
  const v00i = -u[1];
  const v01r = u[4];
  const v01i = -u[5];
  const v10r = u[2];
  const v10i = -u[3];
  const v11r = u[6];
  const v11i = -u[7];
  const stride = 1 << (n - 1 - wire);
  let r00r = 0;
  let r00i = 0;
  let r01r = 0;
  let r01i = 0;
  let r10r = 0;
  let r10i = 0;
  let r11r = 0;
  let r11i = 0;
  for (let base = 0; base < size; base += 2 * stride) {
    const end = base + stride;
    for (let p0 = base; p0 < end; p0++) {
      const p1 = p0 + stride;
      let ar = re[p0];
      let ai = im[p0];
      let br = re[p1];
      let bi = im[p1];
      const a0r = v00r * ar - v00i * ai + v01r * br - v01i * bi;
      const a0i = v00r * ai + v00i * ar + v01r * bi + v01i * br;
      const a1r = v10r * ar - v10i * ai + v11r * br - v11i * bi;
      const a1i = v10r * ai + v10i * ar + v11r * bi + v11i * br;
      re[p0] = a0r;
      im[p0] = a0i;
      re[p1] = a1r;
      im[p1] = a1i;
      ar = lre[p0];
      ai = lim[p0];
      br = lre[p1];
      bi = lim[p1];
      // R_ba = ψ_b · conj(λ_a)
      r00r += a0r * ar + a0i * ai;
      r00i += a0i * ar - a0r * ai;
      r01r += a0r * br + a0i * bi;
      r01i += a0i * br - a0r * bi;
      r10r += a1r * ar + a1i * ai;
      r10i += a1i * ar - a1r * ai;
      r11r += a1r * br + a1i * bi;
      r11i += a1i * br - a1r * bi;
      lre[p0] = v00r * ar - v00i * ai + v01r * br - v01i * bi;
      lim[p0] = v00r * ai + v00i * ar + v01r * bi + v01i * br;
      lre[p1] = v10r * ar - v10i * ai + v11r * br - v11i * bi;
      lim[p1] = v10r * ai + v10i * ar + v11r * bi + v11i * br;
    }
  }
  r[0] = r00r;
  r[1] = r00i;
  r[2] = r01r;
  r[3] = r01i;
  r[4] = r10r;
  r[5] = r10i;
  r[6] = r11r;
  r[7] = r11i;
}

function checkSizes(
  shape: QnnShape,
  batch: number,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
): void {
  const n = shape.nQubits;
  if (x.length !== batch * n)
    throw new Error(`The circuit's inputs need ${batch}×${n} values, not ${x.length}`);
  if (w.length !== shape.nLayers * n * 3)
    throw new Error(`The circuit's weights need ${shape.nLayers}×${n}×3 values, not ${w.length}`);
}

/** Readouts of a batch: x is [batch, n] (angles), w is [L, n, 3]; returns [batch, 4n]. */
export function qnnForward(
  shape: QnnShape,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  batch: number,
  out: Float32Array | Float64Array = new Float64Array(batch * OUTPUTS_PER_WIRE * shape.nQubits),
): Float32Array | Float64Array {
  checkSizes(shape, batch, x, w);
  const ws = workspaceFor(shape);
  ws.setWeights(w);
  const n = shape.nQubits;
  for (let s = 0; s < batch; s++) {
    ws.setSample(x, s * n);
    runCircuit(ws);
    readout(ws, out, s * OUTPUTS_PER_WIRE * n);
  }
  return out;
}

export interface QnnGradients {
  /** dL/dx, [batch, n] (zero outside the range computed). */
  readonly dx: Float64Array;
  /** dL/dw summed over the samples computed, [L, n, 3]. */
  readonly dw: Float64Array;
}

export interface QnnBackwardOptions {
  /** Only samples [first, first + count) (a worker's share of the batch). */
  readonly first?: number;
  readonly count?: number;
  /** Also write the readouts, [batch, 4n], computed on the way (forward and gradient in one). */
  readonly outputs?: Float32Array | Float64Array;
}

/**
 * Gradients of L = Σ dy·readouts by the adjoint method: dy is [batch, 4n]. dx per sample, dw
 * summed over the batch.
 */
export function qnnBackward(
  shape: QnnShape,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
  batch: number,
  options: QnnBackwardOptions = {},
): QnnGradients {
  checkSizes(shape, batch, x, w);
  const n = shape.nQubits;
  const layers = shape.nLayers;
  const width = OUTPUTS_PER_WIRE * n;
  if (dy.length !== batch * width)
    throw new Error(`The readouts' gradient needs ${batch}×${width} values, not ${dy.length}`);
  const first = options.first ?? 0;
  const count = options.count ?? batch - first;
  const ws = workspaceFor(shape);
  ws.setWeights(w);
  const dx = new Float64Array(batch * n);
  const dw = new Float64Array(layers * n * 3);
  const [r, q, p] = [mat2(), mat2(), mat2()];
  for (let s = first; s < first + count; s++) {
    ws.setSample(x, s * n);
    runCircuit(ws);
    if (options.outputs) readout(ws, options.outputs, s * width);
    applyObservable(ws, dy, s * width);
    for (let l = layers - 1; l >= 0; l--) {
      permute(ws, true, true);
      for (let i = n - 1; i >= 0; i--) {
        const k = l * n + i;
        undoWire(ws, i, ws.unitaries[k], r);
        // U = Rot·V: dL/dw_j = 2·Re tr(∂Rot/∂w_j·V·R), dL/dx = 2·Re tr(∂V/∂x·R·Rot)
        mul2(ws.encoding[i], r, q);
        const [d0, d1, d2] = ws.rotDerivatives[k];
        dw[3 * k] += twiceReTrace(d0, q);
        dw[3 * k + 1] += twiceReTrace(d1, q);
        dw[3 * k + 2] += twiceReTrace(d2, q);
        mul2(r, ws.rot[k], p);
        dx[s * n + i] += twiceReTrace(ws.encodingDerivative[i], p);
      }
    }
  }
  return { dx, dw };
}
