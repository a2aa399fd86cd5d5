/**
 * WGSL compute kernels of the seed's QNN circuit (DOMAIN.md), generated per circuit size: a
 * forward kernel (readout [B, 4n] from inputs x[B, n] and weights w[L·n·3]) and a backward
 * kernel (adjoint method: dx[B, n] and per-sample dw[B, L·n·3] from dy[B, 4n]). Pure strings and
 * arithmetic, no GPU API: workers/gpu/qnnWebGpu.ts runs them on tfjs's WebGPU device.
 *
 * The circuit on n wires, per layer l: RY(x_i) then RX(x_i) on every wire, Rot(w[l,i,·]) =
 * RZ(w[l,i,2])·RY(w[l,i,1])·RZ(w[l,i,0]) on every wire, then CNOT(i, (i+1) mod n) for
 * i = 0..n−1. Readout: ⟨X_i⟩, ⟨Y_i⟩, ⟨Z_i⟩ for every wire, then ⟨Z_i Z_{(i+1) mod n}⟩. Wire 0 is
 * the most significant bit of a basis index.
 *
 * How the kernels work:
 * - One workgroup per sample (a grid-stride loop over samples when the batch outnumbers the
 *   workgroups); its threads share the amplitude pairs of every gate, and barriers separate the
 *   gates. The state sits in workgroup memory when it fits the device's workgroup storage
 *   limit, else in a storage scratch buffer (one slice per workgroup).
 * - The five rotations of one wire in one layer act on that wire alone, so they are one 2×2
 *   unitary U = RZ·RY·RZ·RX·RY, computed once per sample (umat). The first layer acts on
 *   |0…0⟩, so its result is a product state written in one pass.
 * - The CNOT ring moves no data. It is a linear map of basis-index bits over GF(2): the kernel
 *   keeps the state in a permuted basis, amplitude p holding the logical basis state k = A·p,
 *   and each CNOT(c, t) only changes A (row t ^= row c). A gate on wire i then pairs p with
 *   p ^ m_i (m_i = column i of A⁻¹), and the pair's |0⟩ side is the one where parity(r_i & p)
 *   = 0 (r_i = row i of A). Rows and masks of every layer are a constant table in the shader
 *   (qnnLayouts).
 * - The backward kernel recomputes the final state, sets λ = M·ψ with M = Σ_k dy_k·O_k, and
 *   walks the layers backwards undoing each U on ψ and λ (adjoint method: no stored states). In
 *   the same pass over a wire's pairs it accumulates the 2×2 environment
 *   K_ba = Σ_rest ψ_before[b]·conj(λ_after[a]). With U = F5·F4·F3·F2·F1 (F1 = RY(x), F2 = RX(x),
 *   F3 = RZ(w0), F4 = RY(w1), F5 = RZ(w2)) and Fk = exp(−iθ_k σ_k / 2):
 *   dL/dθ_k = Im tr(σ_k·M_k), with M_0 = K·U and M_k = F_k·M_{k−1}·F_k†.
 * - WGSL's sin/cos are not accurate enough outside [−π, π] (and only to ~2⁻¹¹ inside), so the
 *   kernels use Cephes's single-precision sinf/cosf: range reduction by π/4 in three parts and
 *   minimax polynomials (sinCosF32 is the same arithmetic in TypeScript, for tests).
 */

/** Fewest and most qubits the kernels are generated for (the scratch state grows as 2ⁿ). */
export const QNN_MIN_QUBITS = 2;
export const QNN_MAX_QUBITS = 14;

/** WebGPU's default maxComputeWorkgroupStorageSize (bytes). */
export const DEFAULT_WORKGROUP_STORAGE_BYTES = 16_384;
/** Threads per workgroup at most (a power of two; a workgroup never has more than 2ⁿ⁻¹). */
export const DEFAULT_MAX_THREADS = 64;
/** Partial sums (vec4) reduced together at most: one barrier tree serves this many. */
const MAX_REDUCE_VEC4 = 8;

/**
 * Constants of Cephes's sinf/cosf (single precision, |x| ≤ 8192): 4/π for the octant, π/4
 * split in three parts whose products with the octant are exact in f32 (DP1 has 8 significant
 * bits, DP2 11), and the minimax polynomials on [−π/4, π/4] (absolute error ~6e-8).
 */
export const SINCOS_F32 = {
  fourOverPi: 1.2732395447351628,
  dp1: 0.78515625,
  dp2: 2.4187564849853515625e-4,
  dp3: 3.774894977445941e-8,
  /** sin r ≈ r + r³·(s0 + s1·r² + s2·r⁴), coefficients highest first. */
  sin: [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1],
  /** cos r ≈ 1 − r²/2 + r⁴·(c0 + c1·r² + c2·r⁴), coefficients highest first. */
  cos: [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2],
} as const;

const f32 = Math.fround;

/**
 * sin and cos of a float32 angle with the kernels' arithmetic (every operation rounded to
 * float32). Absolute error below 8e-8 for |θ| ≤ 100 (7.7e-8 the worst found, 7.5e-8 within
 * [−π, π]).
 */
export function sinCosF32(theta: number): { sin: number; cos: number } {
  const c = SINCOS_F32;
  const t = f32(theta);
  const ax = Math.abs(t);
  let j = Math.trunc(f32(ax * f32(c.fourOverPi)));
  let y = f32(j);
  // Map odd octants to the next even one: r then lies in [−π/4, π/4].
  if ((j & 1) === 1) {
    j += 1;
    y = f32(y + 1);
  }
  const r = f32(f32(f32(ax - f32(y * f32(c.dp1))) - f32(y * f32(c.dp2))) - f32(y * f32(c.dp3)));
  const z = f32(r * r);
  const [s0, s1, s2] = c.sin.map(f32);
  const [c0, c1, c2] = c.cos.map(f32);
  const ps = f32(f32(f32(f32(f32(f32(f32(s0 * z) + s1) * z) + s2) * z) * r) + r);
  const pc = f32(
    f32(f32(f32(f32(f32(f32(f32(c0 * z) + c1) * z) + c2) * z) * z) - f32(0.5 * z)) + 1,
  );
  let s: number;
  let co: number;
  switch (j & 7) {
    case 0:
      s = ps;
      co = pc;
      break;
    case 2:
      s = pc;
      co = -ps;
      break;
    case 4:
      s = -ps;
      co = -pc;
      break;
    default:
      s = -pc;
      co = ps;
  }
  return { sin: f32(t < 0 ? -s : s), cos: f32(co) };
}

/** A WGSL f32 literal that names exactly the given double (rounded to f32 by the compiler). */
function lit(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** The WGSL of sinCosF32: returns vec2(sin θ, cos θ). */
export const SINCOS_WGSL = `// Cephes sinf/cosf (see SINCOS_F32 in qnnShader.ts): vec2(sin θ, cos θ), |error| < 8e-8.
fn qsincos(theta: f32) -> vec2<f32> {
  let ax = abs(theta);
  var j = u32(ax * ${lit(SINCOS_F32.fourOverPi)});
  var y = f32(j);
  if ((j & 1u) == 1u) {
    j = j + 1u;
    y = y + 1.0;
  }
  let r = ((ax - y * ${lit(SINCOS_F32.dp1)}) - y * ${lit(SINCOS_F32.dp2)}) - y * ${lit(SINCOS_F32.dp3)};
  let z = r * r;
  let ps = (((${lit(SINCOS_F32.sin[0])} * z + ${lit(SINCOS_F32.sin[1])}) * z + ${lit(SINCOS_F32.sin[2])}) * z) * r + r;
  let pc = ((((${lit(SINCOS_F32.cos[0])} * z + ${lit(SINCOS_F32.cos[1])}) * z + ${lit(SINCOS_F32.cos[2])}) * z) * z - 0.5 * z) + 1.0;
  let q = j & 7u;
  var s = ps;
  var c = pc;
  if (q == 2u) {
    s = pc;
    c = -ps;
  } else if (q == 4u) {
    s = -ps;
    c = -pc;
  } else if (q == 6u) {
    s = -pc;
    c = ps;
  }
  return vec2<f32>(select(s, -s, theta < 0.0), c);
}
`;

/**
 * Where the kernel keeps the basis of one layer's gates: amplitude p holds logical basis state
 * k with bit i of k (wire i) = parity(rows[i] & p). A gate on wire i pairs p with p ^ masks[i];
 * lowBits[i] is a set bit of masks[i] (used to enumerate each pair once).
 */
export interface QnnLayout {
  readonly rows: readonly number[];
  readonly masks: readonly number[];
  readonly lowBits: readonly number[];
}

/**
 * The layouts of layers 0..L−1 (the basis their single-qubit gates act in) and, last, the one
 * the readout uses (after L CNOT rings): L + 1 entries. Bits are basis-index bits, wire i at
 * bit n−1−i.
 */
export function qnnLayouts(nQubits: number, nLayers: number): QnnLayout[] {
  checkSize(nQubits, nLayers);
  const n = nQubits;
  const rows = Array.from({ length: n }, (_, i) => 1 << (n - 1 - i));
  const masks = rows.slice();
  const layouts: QnnLayout[] = [];
  for (let l = 0; l <= nLayers; l++) {
    layouts.push({
      rows: rows.slice(),
      masks: masks.slice(),
      lowBits: masks.map((m) => 31 - Math.clz32(m & -m)),
    });
    for (let c = 0; c < n; c++) {
      const t = (c + 1) % n;
      // CNOT(c, t) maps logical bits k_t ^= k_c: A ← C·A (row t ^= row c) and
      // A⁻¹ ← A⁻¹·C (column c ^= column t).
      rows[t] ^= rows[c];
      masks[c] ^= masks[t];
    }
  }
  return layouts;
}

export type QnnKernelKind = 'forward' | 'backward';
/** Where a workgroup keeps its sample's state vector(s). */
export type QnnStatePlace = 'workgroup' | 'storage';

export interface QnnKernelOptions {
  /** The device's maxComputeWorkgroupStorageSize (bytes). */
  readonly maxWorkgroupStorageBytes?: number;
  /** Most threads per workgroup (a power of two). */
  readonly maxThreads?: number;
  /** Forces the state's place (tests); by default workgroup memory when it fits. */
  readonly statePlace?: QnnStatePlace;
}

export interface QnnBinding {
  readonly binding: number;
  readonly name: string;
  readonly access: 'read' | 'read_write';
  /** What the buffer holds, with its shape. */
  readonly holds: string;
}

/** The shape of a generated kernel: what the host needs to dispatch it. */
export interface QnnKernelPlan {
  readonly kind: QnnKernelKind;
  readonly nQubits: number;
  readonly nLayers: number;
  readonly statePlace: QnnStatePlace;
  /** Threads per workgroup. */
  readonly workgroupSize: number;
  /** Workgroup memory the kernel declares (bytes). */
  readonly workgroupBytes: number;
  /** vec4 partial sums reduced per barrier tree. */
  readonly reduceWidth: number;
  /** vec2<f32> elements of scratch per workgroup (0 when the state is in workgroup memory). */
  readonly scratchVec2PerWorkgroup: number;
  readonly bindings: readonly QnnBinding[];
  readonly entryPoint: 'main';
  /** Identifies the generated code (pipeline caches). */
  readonly key: string;
}

export interface QnnKernel extends QnnKernelPlan {
  readonly code: string;
}

function checkSize(nQubits: number, nLayers: number): void {
  if (!Number.isInteger(nQubits) || nQubits < QNN_MIN_QUBITS || nQubits > QNN_MAX_QUBITS) {
    throw new Error(
      `QNN WebGPU kernel: nQubits must be an integer in ${QNN_MIN_QUBITS}..${QNN_MAX_QUBITS}, got ${nQubits}`,
    );
  }
  if (!Number.isInteger(nLayers) || nLayers < 1) {
    throw new Error(`QNN WebGPU kernel: nLayers must be a positive integer, got ${nLayers}`);
  }
}

/** Bytes of a workgroup array, rounded up to 16 (every variable's alignment at most). */
function arrayBytes(elements: number, elementBytes: number): number {
  return Math.ceil((elements * elementBytes) / 16) * 16;
}

/** Chooses the state's place, the thread count and the reduction width of one kernel. */
export function qnnKernelPlan(
  kind: QnnKernelKind,
  nQubits: number,
  nLayers: number,
  opts: QnnKernelOptions = {},
): QnnKernelPlan {
  checkSize(nQubits, nLayers);
  const n = nQubits;
  const amps = 2 ** n;
  const maxThreads = opts.maxThreads ?? DEFAULT_MAX_THREADS;
  if (!Number.isInteger(Math.log2(maxThreads)) || maxThreads < 1) {
    throw new Error(`QNN WebGPU kernel: maxThreads must be a power of two, got ${maxThreads}`);
  }
  const limit = opts.maxWorkgroupStorageBytes ?? DEFAULT_WORKGROUP_STORAGE_BYTES;
  const threads = Math.min(amps / 2, maxThreads);
  const states = kind === 'forward' ? 1 : 2;
  // vec4 partial sums per sample: 4n readouts (forward), a 2×2 complex environment per wire
  // (backward, two vec4s each).
  const needed = kind === 'forward' ? n : 2 * n;
  const step = kind === 'forward' ? 1 : 2;
  const fixed =
    arrayBytes(2 * nLayers * n, 16) + // umat: fused 2×2 unitaries
    (kind === 'backward' ? arrayBytes(4 * n, 4) + arrayBytes(n, 4) : 0); // dy, dx
  const stateBytes = arrayBytes(states * amps, 8);
  const widthFor = (budget: number): number => {
    for (let w = Math.min(MAX_REDUCE_VEC4, needed); w >= step; w -= step) {
      if (w * threads * 16 <= budget) return w;
    }
    return 0;
  };
  let place: QnnStatePlace = opts.statePlace ?? 'workgroup';
  let width = place === 'workgroup' ? widthFor(limit - fixed - stateBytes) : 0;
  if (width === 0) {
    if (opts.statePlace === 'workgroup') {
      throw new Error(
        `QNN WebGPU kernel: the ${kind} state of ${n} qubits does not fit ${limit} bytes of workgroup memory`,
      );
    }
    place = 'storage';
    width = widthFor(limit - fixed);
  }
  if (width === 0) {
    throw new Error(
      `QNN WebGPU kernel: ${nLayers} layers of ${n} qubits need more than ${limit} bytes of workgroup memory`,
    );
  }
  const workgroupBytes = fixed + width * threads * 16 + (place === 'workgroup' ? stateBytes : 0);
  const scratch = place === 'storage' ? states * amps : 0;
  const io: QnnBinding[] =
    kind === 'forward'
      ? [
          { binding: 0, name: 'xs', access: 'read', holds: `inputs x [B, ${n}]` },
          { binding: 1, name: 'ws', access: 'read', holds: `weights w [${nLayers}·${n}·3]` },
          { binding: 2, name: 'ys', access: 'read_write', holds: `readout [B, ${4 * n}]` },
        ]
      : [
          { binding: 0, name: 'xs', access: 'read', holds: `inputs x [B, ${n}]` },
          { binding: 1, name: 'ws', access: 'read', holds: `weights w [${nLayers}·${n}·3]` },
          { binding: 2, name: 'dys', access: 'read', holds: `dL/dreadout [B, ${4 * n}]` },
          { binding: 3, name: 'dxs', access: 'read_write', holds: `dL/dx [B, ${n}]` },
          {
            binding: 4,
            name: 'dws',
            access: 'read_write',
            holds: `per-sample dL/dw [B, ${3 * nLayers * n}]`,
          },
        ];
  if (place === 'storage') {
    io.push({
      binding: io.length,
      name: 'scratch',
      access: 'read_write',
      holds: `state vectors, vec2<f32> [workgroups, ${scratch}]`,
    });
  }
  return {
    kind,
    nQubits: n,
    nLayers,
    statePlace: place,
    workgroupSize: threads,
    workgroupBytes,
    reduceWidth: width,
    scratchVec2PerWorkgroup: scratch,
    bindings: io,
    entryPoint: 'main',
    key: `qnn-${kind}-n${n}-l${nLayers}-${place}-t${threads}-r${width}`,
  };
}

const hexU = (v: number): string => `0x${v.toString(16)}u`;

/** The initializer rows of LAY, one layer per line. */
function layoutTable(n: number, L: number): string {
  return qnnLayouts(n, L)
    .map((lay) =>
      lay.rows
        .map(
          (r, i) =>
            `vec4<u32>(${hexU(lay.masks[i])}, ${lay.lowBits[i]}u, ${hexU(r)}, ${hexU(r ^ lay.rows[(i + 1) % n])})`,
        )
        .join(', '),
    )
    .map((line) => `  ${line},`)
    .join('\n');
}

/** Declarations, accessors and helpers shared by both kernels. */
function prelude(plan: QnnKernelPlan): string {
  const n = plan.nQubits;
  const L = plan.nLayers;
  const amps = 2 ** n;
  const T = plan.workgroupSize;
  const backward = plan.kind === 'backward';
  const storage = plan.statePlace === 'storage';
  const decls = plan.bindings
    .map((b) => {
      const type = b.name === 'scratch' ? 'array<vec2<f32>>' : 'array<f32>';
      return `@group(0) @binding(${b.binding}) var<storage, ${b.access}> ${b.name}: ${type}; // ${b.holds}`;
    })
    .join('\n');
  const lamOffset = amps;
  const stateDecls = storage
    ? `// The state lives in this workgroup's slice of scratch, from sbase on${backward ? ' (ψ, then λ)' : ''}.
var<private> sbase: u32;
fn ld(i: u32) -> vec2<f32> { return scratch[sbase + i]; }
fn st(i: u32, v: vec2<f32>) { scratch[sbase + i] = v; }${
        backward
          ? `
fn ldl(i: u32) -> vec2<f32> { return scratch[sbase + ${lamOffset}u + i]; }
fn stl(i: u32, v: vec2<f32>) { scratch[sbase + ${lamOffset}u + i] = v; }`
          : ''
      }`
    : `var<workgroup> psi: array<vec2<f32>, ${amps}>;
fn ld(i: u32) -> vec2<f32> { return psi[i]; }
fn st(i: u32, v: vec2<f32>) { psi[i] = v; }${
        backward
          ? `
var<workgroup> lam: array<vec2<f32>, ${amps}>;
fn ldl(i: u32) -> vec2<f32> { return lam[i]; }
fn stl(i: u32, v: vec2<f32>) { lam[i] = v; }`
          : ''
      }`;
  return `// ${plan.kind === 'forward' ? 'Forward' : 'Backward (adjoint)'} kernel of the QNN circuit: ${n} qubits, ${L} layers.
// Generated by src/core/quantum/webgpu/qnnShader.ts (${plan.key}); one workgroup per sample.
const NQ: u32 = ${n}u;
const T: u32 = ${T}u; // threads per workgroup
const PAIRS_PER_THREAD: u32 = ${amps / 2 / T}u;
const AMPS_PER_THREAD: u32 = ${amps / T}u;
const NL: u32 = ${L}u;
const NOUT: u32 = ${4 * n}u; // readout values per sample
const NW: u32 = ${3 * L * n}u; // weights

${decls}

// Basis layouts (qnnLayouts): wire i in layer l's gates (l < NL) and in the readout (l = NL) is
// LAY[l·NQ + i] = (mask, a set bit of mask, row, row ^ row of wire (i+1) mod NQ). A table and
// loops, not unrolled code: the shader's size (and compile time) then hardly grows with n, L.
var<private> LAY: array<vec4<u32>, ${(L + 1) * n}> = array<vec4<u32>, ${(L + 1) * n}>(
${layoutTable(n, L)}
);

// Fused unitary of (layer l, wire i) at g = l·NQ + i: umat[2g] = (U00, U01), umat[2g+1] = (U10, U11).
var<workgroup> umat: array<vec4<f32>, ${2 * L * n}>;
// Partial sums of a reduction: slot v of thread t at red[v·T + t].
var<workgroup> red: array<vec4<f32>, ${plan.reduceWidth * T}>;
${stateDecls}

var<private> tid: u32;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
// conj(a)·b
fn cjmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x + a.y * b.y, a.x * b.y - a.y * b.x);
}
fn odd(r: u32, p: u32) -> bool {
  return (countOneBits(r & p) & 1u) == 1u;
}
// +1 where parity(r & p) is even, −1 where odd: the eigenvalue of a Z-string.
fn sgn(r: u32, p: u32) -> f32 {
  return select(1.0, -1.0, odd(r, p));
}
// Amplitude indices (|0⟩ side, |1⟩ side) of pair j of the wire with mask m, set bit lb of m
// and row r.
fn pairAt(j: u32, m: u32, lb: u32, r: u32) -> vec2<u32> {
  let p = ((j >> lb) << (lb + 1u)) | (j & ((1u << lb) - 1u));
  let i0 = select(p, p ^ m, odd(r, p));
  return vec2<u32>(i0, i0 ^ m);
}

${SINCOS_WGSL}
// 2×2 complex matrix [[a, b], [c, d]].
struct C2 {
  a: vec2<f32>,
  b: vec2<f32>,
  c: vec2<f32>,
  d: vec2<f32>,
}
fn mm(p: C2, q: C2) -> C2 {
  return C2(cmul(p.a, q.a) + cmul(p.b, q.c), cmul(p.a, q.b) + cmul(p.b, q.d),
            cmul(p.c, q.a) + cmul(p.d, q.c), cmul(p.c, q.b) + cmul(p.d, q.d));
}
// Rotations from sc = (sin θ/2, cos θ/2).
fn ry(sc: vec2<f32>) -> C2 {
  return C2(vec2<f32>(sc.y, 0.0), vec2<f32>(-sc.x, 0.0), vec2<f32>(sc.x, 0.0), vec2<f32>(sc.y, 0.0));
}
fn rx(sc: vec2<f32>) -> C2 {
  return C2(vec2<f32>(sc.y, 0.0), vec2<f32>(0.0, -sc.x), vec2<f32>(0.0, -sc.x), vec2<f32>(sc.y, 0.0));
}
fn rz(sc: vec2<f32>) -> C2 {
  return C2(vec2<f32>(sc.y, -sc.x), vec2<f32>(0.0), vec2<f32>(0.0), vec2<f32>(sc.y, sc.x));
}
fn umatAt(g: u32) -> C2 {
  let r0 = umat[2u * g];
  let r1 = umat[2u * g + 1u];
  return C2(r0.xy, r0.zw, r1.xy, r1.zw);
}

// Fills umat for sample s: U = RZ(w2)·RY(w1)·RZ(w0)·RX(x)·RY(x) per (layer, wire).
fn loadUnitaries(s: u32) {
  for (var g = tid; g < ${L * n}u; g = g + T) {
    let hx = qsincos(0.5 * xs[s * NQ + g % NQ]);
    let u = mm(rz(qsincos(0.5 * ws[3u * g + 2u])),
               mm(ry(qsincos(0.5 * ws[3u * g + 1u])),
                  mm(rz(qsincos(0.5 * ws[3u * g])), mm(rx(hx), ry(hx)))));
    umat[2u * g] = vec4<f32>(u.a, u.b);
    umat[2u * g + 1u] = vec4<f32>(u.c, u.d);
  }
}

// The state after layer 0's rotations, a product state: amplitude p = Π_i U_i[bit_i(p), 0].
fn initProduct() {
  for (var k = 0u; k < AMPS_PER_THREAD; k = k + 1u) {
    let p = tid + k * T;
    var a = vec2<f32>(1.0, 0.0);
    for (var i = 0u; i < NQ; i = i + 1u) {
      let one = ((p >> (NQ - 1u - i)) & 1u) == 1u;
      a = cmul(a, select(umat[2u * i].xy, umat[2u * i + 1u].xy, one));
    }
    st(p, a);
  }
}

// Applies umat[g] to the wire with mask m, set bit lb and row r.
fn gate(m: u32, lb: u32, r: u32, g: u32) {
  let u = umatAt(g);
  for (var k = 0u; k < PAIRS_PER_THREAD; k = k + 1u) {
    let ii = pairAt(tid + k * T, m, lb, r);
    let a0 = ld(ii.x);
    let a1 = ld(ii.y);
    st(ii.x, cmul(u.a, a0) + cmul(u.b, a1));
    st(ii.y, cmul(u.c, a0) + cmul(u.d, a1));
  }
}

// Sums red[v·T + t] over t for v < nv into red[v·T]. Every thread calls it (it has barriers).
fn reduceTree(nv: u32) {
  workgroupBarrier();
  for (var stride = T / 2u; stride > 0u; stride = stride / 2u) {
    for (var e = tid; e < nv * stride; e = e + T) {
      let idx = (e / stride) * T + e % stride;
      red[idx] = red[idx] + red[idx + stride];
    }
    workgroupBarrier();
  }
}
`;
}

/** The barrier that orders the state's reads and writes between the workgroup's threads. */
function stateBarrier(plan: QnnKernelPlan): string {
  return plan.statePlace === 'storage' ? 'storageBarrier();' : 'workgroupBarrier();';
}

const ENTRY = `@compute @workgroup_size(T)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {`;

/** Entry point and sample loop up to the state after the forward sweep. */
function forwardSweep(plan: QnnKernelPlan, loadExtra: string): string {
  const sync = stateBarrier(plan);
  return `${ENTRY}
  tid = lid;
  let nb = arrayLength(&xs) / NQ;${
    plan.statePlace === 'storage' ? `\n  sbase = wid.x * ${plan.scratchVec2PerWorkgroup}u;` : ''
  }
  // Grid-stride loop: workgroup wid.x handles samples wid.x, wid.x + G, … (G workgroups).
  for (var s = wid.x; s < nb; s = s + nwg.x) {
    loadUnitaries(s);${loadExtra}
    workgroupBarrier();
    initProduct();
    ${sync}
    for (var l = 1u; l < NL; l = l + 1u) {
      for (var i = 0u; i < NQ; i = i + 1u) {
        let e = LAY[l * NQ + i];
        gate(e.x, e.y, e.z, l * NQ + i);
        ${sync}
      }
    }`;
}

/** The forward kernel: ys[s, ·] = readout of the circuit on xs[s, ·] with weights ws. */
export function qnnForwardKernel(
  nQubits: number,
  nLayers: number,
  opts: QnnKernelOptions = {},
): QnnKernel {
  const plan = qnnKernelPlan('forward', nQubits, nLayers, opts);
  const code = `${prelude(plan)}
${forwardSweep(plan, '')}
    // This thread's readout partial sums: v[i] = 2·Re Σ conj(a0)·a1 over wire i's pairs (X),
    // v[NQ+i] the same Im (Y), v[2NQ+i] = Σ sgn·|a|² (Z), v[3NQ+i] likewise for Z_i Z_{i+1}.
    // Zeroed explicitly: on SwiftShader an uninitialised var declared in a loop kept the
    // previous iteration's values.
    var v = array<f32, ${4 * nQubits}>();
    for (var k = 0u; k < PAIRS_PER_THREAD; k = k + 1u) {
      let j = tid + k * T;
      for (var i = 0u; i < NQ; i = i + 1u) {
        let e = LAY[NL * NQ + i];
        let ii = pairAt(j, e.x, e.y, e.z);
        let z = 2.0 * cjmul(ld(ii.x), ld(ii.y));
        v[i] += z.x;
        v[NQ + i] += z.y;
      }
    }
    for (var k = 0u; k < AMPS_PER_THREAD; k = k + 1u) {
      let p = tid + k * T;
      let a = ld(p);
      let pr = dot(a, a);
      for (var i = 0u; i < NQ; i = i + 1u) {
        let e = LAY[NL * NQ + i];
        v[2u * NQ + i] += sgn(e.z, p) * pr;
        v[3u * NQ + i] += sgn(e.w, p) * pr;
      }
    }
    // Reduced ${plan.reduceWidth} vec4 (4 readouts each) at a time.
    for (var q0 = 0u; q0 < NQ; q0 = q0 + ${plan.reduceWidth}u) {
      let nv = min(${plan.reduceWidth}u, NQ - q0);
      for (var k = 0u; k < nv; k = k + 1u) {
        let q = 4u * (q0 + k);
        red[k * T + tid] = vec4<f32>(v[q], v[q + 1u], v[q + 2u], v[q + 3u]);
      }
      reduceTree(nv);
      if (tid < nv) {
        let r = red[tid * T];
        let o = s * NOUT + 4u * (q0 + tid);
        ys[o] = r.x;
        ys[o + 1u] = r.y;
        ys[o + 2u] = r.z;
        ys[o + 3u] = r.w;
      }
      workgroupBarrier();
    }
  }
}
`;
  return { ...plan, code };
}

/**
 * The backward kernel: dxs[s, ·] and dws[s, ·] = gradients of Σ_k dys[s, k]·readout_k with
 * respect to xs[s, ·] and ws (per sample; the host sums dws over the batch).
 */
export function qnnBackwardKernel(
  nQubits: number,
  nLayers: number,
  opts: QnnKernelOptions = {},
): QnnKernel {
  const plan = qnnKernelPlan('backward', nQubits, nLayers, opts);
  const n = nQubits;
  const sync = stateBarrier(plan);
  const perGroup = plan.reduceWidth / 2;
  const code = `${prelude(plan)}
// This sample's dy (readout order) and its dx accumulated over layers.
var<workgroup> dyw: array<f32, ${4 * n}>;
var<workgroup> gx: array<f32, ${n}>;

// Environment K_ba = Σ_rest ψ_before[b]·conj(λ_after[a]) of one wire: k0 = (K00, K01),
// k1 = (K10, K11).
struct Env {
  k0: vec4<f32>,
  k1: vec4<f32>,
}

// λ = M·ψ: M's diagonal part (Z, ZZ) and, per wire, dyX·X + dyY·Y = [[0, dyX − i·dyY],
// [dyX + i·dyY, 0]], gathered per amplitude so that no two threads write one λ entry.
fn initLambda() {
  for (var k = 0u; k < AMPS_PER_THREAD; k = k + 1u) {
    let p = tid + k * T;
    var d = 0.0;
    var l = vec2<f32>(0.0);
    for (var i = 0u; i < NQ; i = i + 1u) {
      let e = LAY[NL * NQ + i];
      d += dyw[2u * NQ + i] * sgn(e.z, p) + dyw[3u * NQ + i] * sgn(e.w, p);
      let dyY = dyw[NQ + i];
      l += cmul(vec2<f32>(dyw[i], select(-dyY, dyY, odd(e.z, p))), ld(p ^ e.x));
    }
    stl(p, l + d * ld(p));
  }
}

// Undoes umat[g] on ψ and λ for the wire with mask m, set bit lb and row r, and returns this
// thread's part of the wire's environment.
fn undoGate(m: u32, lb: u32, r: u32, g: u32) -> Env {
  let u = umatAt(g);
  var e = Env(vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k = 0u; k < PAIRS_PER_THREAD; k = k + 1u) {
    let ii = pairAt(tid + k * T, m, lb, r);
    let a0 = ld(ii.x);
    let a1 = ld(ii.y);
    let l0 = ldl(ii.x);
    let l1 = ldl(ii.y);
    // U† = [[conj a, conj c], [conj b, conj d]].
    let b0 = cjmul(u.a, a0) + cjmul(u.c, a1);
    let b1 = cjmul(u.b, a0) + cjmul(u.d, a1);
    // b·conj(l) = conj(l)·b.
    e.k0 = e.k0 + vec4<f32>(cjmul(l0, b0), cjmul(l1, b0));
    e.k1 = e.k1 + vec4<f32>(cjmul(l0, b1), cjmul(l1, b1));
    st(ii.x, b0);
    st(ii.y, b1);
    stl(ii.x, cjmul(u.a, l0) + cjmul(u.c, l1));
    stl(ii.y, cjmul(u.b, l0) + cjmul(u.d, l1));
  }
  return e;
}

fn dag(p: C2) -> C2 {
  return C2(vec2<f32>(p.a.x, -p.a.y), vec2<f32>(p.c.x, -p.c.y),
            vec2<f32>(p.b.x, -p.b.y), vec2<f32>(p.d.x, -p.d.y));
}
fn conjugate(f: C2, m: C2) -> C2 {
  return mm(mm(f, m), dag(f));
}

// Gradients of wire i in layer l from its reduced environment (red slots 2·slot, 2·slot + 1):
// dL/dθ_k = Im tr(σ_k·M_k) with M_0 = K·U, M_k = F_k·M_{k−1}·F_k†.
fn wireGrad(s: u32, l: u32, i: u32, slot: u32) {
  let g = l * NQ + i;
  let k0 = red[2u * slot * T];
  let k1 = red[(2u * slot + 1u) * T];
  let hx = qsincos(0.5 * xs[s * NQ + i]);
  var m = mm(C2(k0.xy, k0.zw, k1.xy, k1.zw), umatAt(g));
  m = conjugate(ry(hx), m);
  let dRy = m.b.x - m.c.x; // σ_y
  m = conjugate(rx(hx), m);
  let dRx = m.b.y + m.c.y; // σ_x
  m = conjugate(rz(qsincos(0.5 * ws[3u * g])), m);
  let d0 = m.a.y - m.d.y; // σ_z
  m = conjugate(ry(qsincos(0.5 * ws[3u * g + 1u])), m);
  let d1 = m.b.x - m.c.x;
  m = conjugate(rz(qsincos(0.5 * ws[3u * g + 2u])), m);
  let d2 = m.a.y - m.d.y;
  gx[i] = gx[i] + dRy + dRx;
  let o = s * NW + 3u * g;
  dws[o] = d0;
  dws[o + 1u] = d1;
  dws[o + 2u] = d2;
}

${forwardSweep(
  plan,
  `
    for (var k = tid; k < NOUT; k = k + T) {
      dyw[k] = dys[s * NOUT + k];
    }
    for (var i = tid; i < NQ; i = i + T) {
      gx[i] = 0.0;
    }`,
)}
    initLambda();
    ${sync}
    // Backwards through the layers (the CNOT rings undo themselves: only the layout changes),
    // ${perGroup} wire(s) per reduction of their environments.
    for (var li = 0u; li < NL; li = li + 1u) {
      let l = NL - 1u - li;
      for (var i0 = 0u; i0 < NQ; i0 = i0 + ${perGroup}u) {
        let cnt = min(${perGroup}u, NQ - i0);
        for (var k = 0u; k < cnt; k = k + 1u) {
          let e = LAY[l * NQ + i0 + k];
          let env = undoGate(e.x, e.y, e.z, l * NQ + i0 + k);
          red[2u * k * T + tid] = env.k0;
          red[(2u * k + 1u) * T + tid] = env.k1;
          ${sync}
        }
        reduceTree(2u * cnt);
        if (tid < cnt) {
          wireGrad(s, l, i0 + tid, tid);
        }
        workgroupBarrier();
      }
    }
    for (var i = tid; i < NQ; i = i + T) {
      dxs[s * NQ + i] = gx[i];
    }
    workgroupBarrier();
  }
}
`;
  return { ...plan, code };
}
