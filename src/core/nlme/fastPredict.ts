import type { Observation } from '../data/types';
import { doseSlot, expandDoses } from '../pkpd/doseEvents';
import {
  CENTRAL,
  linearPkSystem,
  propagateAmounts,
  type LinearPkSystem,
} from '../pkpd/linearSystem';
import {
  directEffect,
  isDirectPd,
  linearResponse,
  simulatePkPd,
  type LinearResponse,
} from '../pkpd/pd';
import type { DoseEvent, PdParameters, PkParameters } from '../pkpd/types';

/**
 * Fast, smooth predictions for estimation.
 *
 * An NLME fit evaluates each subject's model thousands of times, and differentiates it by
 * finite differences. The general engine (adaptive Dormand–Prince for the PD state) is accurate
 * but its step sequence changes with the parameters, which puts noise into finite differences,
 * and it costs about half a millisecond per subject. Here the time grid is fixed per subject
 * (built once per fit from its doses and observation times), so predictions are smooth
 * functions of the parameters:
 *
 * - PK amounts are propagated exactly between grid nodes (the closed-form linear system);
 * - a PD state (indirect response or effect compartment) is integrated by integrating-factor
 *   ("Lawson") RK4, y′ = p(C) − q(C)·y with the drug-free rate λ = q(0) handled exactly, so the
 *   method stays stable for any kout or ke0;
 * - steps start at `hMin` after every dose or infusion change, where the concentration moves
 *   fastest, and grow by 1.5× up to `hMax`.
 *
 * Records the grid cannot express (steady-state doses, resets, modelled infusion rates or
 * durations) make the subject fall back to the general engine at tight tolerances.
 */
export interface GridOptions {
  /** First step after a dose, h (default 0.05). */
  readonly hMin?: number;
  /** Longest step, h (default 4). */
  readonly hMax?: number;
  /**
   * Only the cut points (doses, infusion changes, observations) as nodes: enough when no PD
   * state is integrated, since the PK propagation is exact over any step.
   */
  readonly cutsOnly?: boolean;
}

export interface SubjectDesign {
  /** Observations predicted, in the caller's order. */
  readonly nObs: number;
  readonly obsDvid: Int8Array;
  /** Set when the subject's records need the general engine. */
  readonly fallback: { readonly events: readonly DoseEvent[]; readonly times: Float64Array } | null;
  readonly nodeTime: Float64Array;
  /** Per step (node k → k+1): index into `dts`. */
  readonly stepDt: Int32Array;
  /** Distinct step lengths, h. */
  readonly dts: Float64Array;
  /** Zero-order input (mg/h) into depot and central during the step from node k. */
  readonly nodeRd: Float64Array;
  readonly nodeRc: Float64Array;
  /** Boluses: node index, amounts slot, amount (mg); sorted by node. */
  readonly bolusNode: Int32Array;
  readonly bolusSlot: Int8Array;
  readonly bolusAmt: Float64Array;
  /** Node of each observation. */
  readonly obsNode: Int32Array;
  readonly hasInfusion: boolean;
}

const GROWTH = 1.5;

function needsEngine(e: DoseEvent): boolean {
  return (
    e.evid !== 1 || (e.ss ?? 0) !== 0 || (e.rate ?? 0) < 0 || ((e.rate ?? 0) > 0 && e.amt <= 0)
  );
}

/**
 * The fixed grid of one subject for a PK model type. `observations` are predicted in order.
 */
export function buildSubjectDesign(
  pkType: PkParameters['type'],
  doses: readonly DoseEvent[],
  observations: readonly Pick<Observation, 'time' | 'dvid'>[],
  opts: GridOptions = {},
): SubjectDesign {
  const hMin = opts.hMin ?? 0.05;
  const hMax = opts.hMax ?? 4;
  const events = expandDoses(doses);
  const nObs = observations.length;
  const obsDvid = Int8Array.from(observations, (o) => o.dvid);
  const obsTimes = Float64Array.from(observations, (o) => o.time);
  const empty = {
    nodeTime: new Float64Array(0),
    stepDt: new Int32Array(0),
    dts: new Float64Array(0),
    nodeRd: new Float64Array(0),
    nodeRc: new Float64Array(0),
    bolusNode: new Int32Array(0),
    bolusSlot: new Int8Array(0),
    bolusAmt: new Float64Array(0),
    obsNode: new Int32Array(0),
    hasInfusion: false,
  };
  if (events.some(needsEngine)) {
    return { nObs, obsDvid, fallback: { events, times: obsTimes }, ...empty };
  }
  const slotOf = (cmt: number) => doseSlot({ type: pkType, CL: 1, V: 1 }, cmt);
  // Infusion changes: +rate at start, −rate at end.
  const rateChanges: { time: number; slot: number; delta: number }[] = [];
  const boluses: { time: number; slot: number; amt: number }[] = [];
  for (const e of events) {
    const slot = slotOf(e.cmt);
    const rate = e.rate ?? 0;
    if (rate > 0) {
      rateChanges.push({ time: e.time, slot, delta: rate });
      rateChanges.push({ time: e.time + e.amt / rate, slot, delta: -rate });
    } else if (e.amt !== 0) {
      boluses.push({ time: e.time, slot, amt: e.amt });
    }
  }
  const kicks = new Set<number>([...boluses.map((b) => b.time), ...rateChanges.map((r) => r.time)]);
  const allTimes = [...kicks, ...obsTimes];
  if (allTimes.length === 0) return { nObs, obsDvid, fallback: null, ...empty };
  const cuts = [...new Set(allTimes)].sort((a, b) => a - b);

  const nodes: number[] = [cuts[0]];
  let h = hMin;
  let t = cuts[0];
  for (let c = 0; c < cuts.length; c++) {
    const cut = cuts[c];
    if (opts.cutsOnly) {
      if (cut > t) nodes.push(cut);
      t = cut;
      continue;
    }
    if (kicks.has(t)) h = hMin;
    while (t < cut) {
      const remaining = cut - t;
      let dt = Math.min(h, remaining);
      // Avoid a sliver at the end of a segment: split the last stretch evenly instead.
      if (remaining > h && remaining < 1.5 * h) dt = remaining / 2;
      const next = remaining - dt <= 1e-9 * Math.max(1, Math.abs(cut)) ? cut : t + dt;
      nodes.push(next);
      t = next;
      h = Math.min(h * GROWTH, hMax);
    }
  }
  const nodeTime = Float64Array.from(nodes);
  const nNodes = nodeTime.length;
  const indexOf = (time: number) => {
    // nodes are sorted and every cut is a node
    let lo = 0;
    let hi = nNodes - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nodeTime[mid] < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const dtIndex = new Map<number, number>();
  const stepDt = new Int32Array(Math.max(0, nNodes - 1));
  for (let k = 0; k + 1 < nNodes; k++) {
    const dt = nodeTime[k + 1] - nodeTime[k];
    let u = dtIndex.get(dt);
    if (u === undefined) {
      u = dtIndex.size;
      dtIndex.set(dt, u);
    }
    stepDt[k] = u;
  }
  const dts = new Float64Array(dtIndex.size);
  for (const [dt, u] of dtIndex) dts[u] = dt;

  const nodeRd = new Float64Array(nNodes);
  const nodeRc = new Float64Array(nNodes);
  for (const r of rateChanges) {
    const from = indexOf(r.time);
    const target = r.slot === CENTRAL ? nodeRc : nodeRd;
    for (let k = from; k < nNodes; k++) target[k] += r.delta;
  }
  // Round away accumulated cancellation so an ended infusion is exactly off.
  for (const arr of [nodeRd, nodeRc]) {
    for (let k = 0; k < nNodes; k++) if (Math.abs(arr[k]) < 1e-12) arr[k] = 0;
  }
  boluses.sort((a, b) => a.time - b.time);
  return {
    nObs,
    obsDvid,
    fallback: null,
    nodeTime,
    stepDt,
    dts,
    nodeRd,
    nodeRc,
    bolusNode: Int32Array.from(boluses, (b) => indexOf(b.time)),
    bolusSlot: Int8Array.from(boluses, (b) => b.slot),
    bolusAmt: Float64Array.from(boluses, (b) => b.amt),
    obsNode: Int32Array.from(obsTimes, (time) => indexOf(time)),
    hasInfusion: rateChanges.length > 0,
  };
}

/** Per-evaluation work arrays, reused across subjects. */
class Workspace {
  private prop = new Float64Array(0);
  private pd = new Float64Array(0);
  private p = [new Float64Array(0), new Float64Array(0)];
  /** p and q of a response at one concentration. */
  readonly pq = new Float64Array(2);
  /** Weights of one step of a response with varying loss. */
  readonly stepWeights = new Float64Array(4);
  propagators(nDt: number): Float64Array {
    if (this.prop.length < nDt * 15) this.prop = new Float64Array(nDt * 15);
    return this.prop;
  }
  pdNode(nNodes: number): Float64Array {
    if (this.pd.length < nNodes) this.pd = new Float64Array(nNodes);
    return this.pd;
  }
  /** Production rates at the nodes (which 0) or at the mid-steps (which 1). */
  production(nNodes: number, which: 0 | 1): Float64Array {
    if (this.p[which].length < nNodes) this.p[which] = new Float64Array(nNodes);
    return this.p[which];
  }
}

const work = new Workspace();
const unit = new Float64Array(3);
const col = new Float64Array(3);

/** Central concentrations of one subject for one set of PK parameters. */
interface PkSolution {
  /** The PK parameters (absent ones 0) the arrays hold; NaN while empty. */
  CL: number;
  V: number;
  ka: number;
  Q: number;
  V2: number;
  /** Central concentration (mg/L) at every node, and at the middle of the step from it. */
  readonly conc: Float64Array;
  readonly mid: Float64Array;
}

/**
 * What a subject's predictions keep between calls. An estimation calls predictSubject for the
 * same subject many times in a row with small changes: a finite-difference Jacobian moves one
 * random effect at a time, so the PD effects' columns keep the PK of the point they start from
 * and every column but kout's keeps the PD loss rate.
 */
interface DesignCache {
  /**
   * Two PK solutions. A miss overwrites the one that did not serve the latest hit, so the point
   * a Jacobian is taken at survives its PK columns.
   */
  readonly pk: readonly [PkSolution, PkSolution];
  lastHit: 0 | 1;
  /** Loss rate (1/h) the weights are for; NaN while none. */
  lambda: number;
  /** etdWeights for `lambda` per distinct step length (4 per step, in `dts` order). */
  readonly weights: Float64Array;
}

const designCaches = new WeakMap<SubjectDesign, DesignCache>();

function cacheFor(design: SubjectDesign): DesignCache {
  let cache = designCaches.get(design);
  if (!cache) {
    const n = design.nodeTime.length;
    const empty = (): PkSolution => ({
      CL: NaN,
      V: NaN,
      ka: NaN,
      Q: NaN,
      V2: NaN,
      conc: new Float64Array(n),
      mid: new Float64Array(n),
    });
    cache = {
      pk: [empty(), empty()],
      lastHit: 0,
      lambda: NaN,
      weights: new Float64Array(design.dts.length * 4),
    };
    designCaches.set(design, cache);
  }
  return cache;
}

/**
 * Predictions for one subject into `out` (length design.nObs): concentration (mg/L) for DVID 1,
 * biomarker (ng/mL) for DVID 2. Parameters are assumed valid (positive, finite).
 */
export function predictSubject(
  design: SubjectDesign,
  pk: PkParameters,
  pd: PdParameters | undefined,
  out: Float64Array,
): void {
  if (design.fallback) {
    const res = simulatePkPd(
      pd ? { pk, pd } : { pk },
      design.fallback.events,
      design.fallback.times,
      {
        rtol: 1e-8,
        atol: 1e-10,
      },
    );
    for (let i = 0; i < design.nObs; i++) {
      out[i] = design.obsDvid[i] === 2 && res.biomarker ? res.biomarker[i] : res.concentration[i];
    }
    return;
  }
  const nNodes = design.nodeTime.length;
  if (nNodes === 0) return;
  const cache = cacheFor(design);
  const { conc, mid } = nodeConcentrations(design, cache, pk);
  const response = pd && !isDirectPd(pd) ? linearResponse(pd) : null;
  const pdNode = work.pdNode(nNodes);
  if (response) integrateResponse(design, cache, response, conc, mid, pdNode);
  const { obsNode, obsDvid } = design;
  for (let i = 0; i < design.nObs; i++) {
    const k = obsNode[i];
    const c = conc[k] > 0 ? conc[k] : 0;
    if (obsDvid[i] !== 2 || !pd) out[i] = c;
    else if (response) out[i] = response.readout(pdNode[k]);
    else out[i] = directEffect(pd as Parameters<typeof directEffect>[0], c);
  }
}

/** The PD state at every node (into `y`), from the concentrations at nodes and mid-steps. */
function integrateResponse(
  design: SubjectDesign,
  cache: DesignCache,
  response: LinearResponse,
  conc: Float64Array,
  mid: Float64Array,
  y: Float64Array,
): void {
  const { dts, stepDt } = design;
  const nNodes = design.nodeTime.length;
  const pq = work.pq;
  response.coefficients(0, pq);
  const q0 = pq[1];
  response.coefficients(1, pq);
  let state = response.y0;
  if (pq[1] === q0) {
    // Production-type responses (I, III) and the effect compartment have a constant loss rate:
    // their weights depend on the step only (computed once per distinct step and loss rate),
    // and p is evaluated once per node and once per mid-step, each grid in one call.
    const w = cache.weights;
    if (cache.lambda !== q0) {
      for (let u = 0; u < dts.length; u++) etdWeights(q0, dts[u], w, u * 4);
      cache.lambda = q0;
    }
    const pNode = work.production(nNodes, 0);
    const pMid = work.production(nNodes, 1);
    response.productionAt(conc, nNodes, pNode);
    response.productionAt(mid, nNodes - 1, pMid);
    for (let k = 0; k < nNodes; k++) {
      y[k] = state;
      if (k + 1 === nNodes) break;
      const at = stepDt[k] * 4;
      state = w[at] * state + w[at + 1] * pNode[k] + w[at + 2] * pMid[k] + w[at + 3] * pNode[k + 1];
    }
    return;
  }
  for (let k = 0; k < nNodes; k++) {
    y[k] = state;
    if (k + 1 === nNodes) break;
    state = varyingLossStep(response, dts[stepDt[k]], state, conc[k], mid[k], conc[k + 1]);
  }
}

/**
 * Central concentration (mg/L) at every node and at the middle of every step, for these PK
 * parameters, from the subject's cache when they are the same as one of its last two sets:
 * when only PD parameters change (a PD fit given individual PK, or finite differences in PD
 * parameters) the PK work is skipped.
 */
function nodeConcentrations(
  design: SubjectDesign,
  cache: DesignCache,
  pk: PkParameters,
): PkSolution {
  const ka = pk.ka ?? 0;
  const Q = pk.Q ?? 0;
  const V2 = pk.V2 ?? 0;
  for (let i = 0; i < 2; i++) {
    const e = cache.pk[i];
    if (e.CL === pk.CL && e.V === pk.V && e.ka === ka && e.Q === Q && e.V2 === V2) {
      cache.lastHit = i as 0 | 1;
      return e;
    }
  }
  const solution = cache.pk[cache.lastHit === 0 ? 1 : 0];
  solution.CL = pk.CL;
  solution.V = pk.V;
  solution.ka = ka;
  solution.Q = Q;
  solution.V2 = V2;
  const nNodes = design.nodeTime.length;
  const { conc, mid } = solution;
  const { dts, stepDt, nodeRd, nodeRc, bolusNode, bolusSlot, bolusAmt } = design;
  const nDt = dts.length;
  const prop = work.propagators(nDt);
  const sys = linearPkSystem(pk);
  const V = sys.V;
  const slots = sys.twoCompartment ? 3 : 2;
  // Half-step propagators: 3×3 matrix (column-major) + depot and central input responses.
  const sylvester = sylvesterProjectors(sys, projectors);
  for (let u = 0; u < nDt; u++) {
    const half = dts[u] / 2;
    const base = u * 15;
    if (sylvester) {
      fillFromProjectors(sylvester, half, design.hasInfusion, prop, base);
      continue;
    }
    for (let j = 0; j < 3; j++) {
      if (j >= slots || (j === 0 && !sys.oral)) {
        prop[base + 3 * j] = 0;
        prop[base + 3 * j + 1] = 0;
        prop[base + 3 * j + 2] = 0;
        continue;
      }
      unit.fill(0);
      unit[j] = 1;
      propagateAmounts(sys, unit, 0, 0, half, col);
      prop[base + 3 * j] = col[0];
      prop[base + 3 * j + 1] = col[1];
      prop[base + 3 * j + 2] = col[2];
    }
    if (design.hasInfusion) {
      unit.fill(0);
      propagateAmounts(sys, unit, 1, 0, half, col);
      prop[base + 9] = col[0];
      prop[base + 10] = col[1];
      prop[base + 11] = col[2];
      propagateAmounts(sys, unit, 0, 1, half, col);
      prop[base + 12] = col[0];
      prop[base + 13] = col[1];
      prop[base + 14] = col[2];
    }
  }
  // One compartment: the peripheral slot's row and column are zero, so the walk skips them.
  const peripheral = slots === 3;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let b = 0;
  const nBolus = bolusNode.length;
  for (let k = 0; k < nNodes; k++) {
    while (b < nBolus && bolusNode[b] === k) {
      const s = bolusSlot[b];
      if (s === 0) a0 += bolusAmt[b];
      else if (s === 1) a1 += bolusAmt[b];
      else a2 += bolusAmt[b];
      b++;
    }
    conc[k] = a1 / V;
    if (k + 1 === nNodes) {
      mid[k] = conc[k];
      break;
    }
    const base = stepDt[k] * 15;
    const rd = nodeRd[k];
    const rc = nodeRc[k];
    const input = rd !== 0 || rc !== 0;
    let h0: number;
    let h1: number;
    let h2 = 0;
    if (peripheral) {
      h0 = prop[base] * a0 + prop[base + 3] * a1 + prop[base + 6] * a2;
      h1 = prop[base + 1] * a0 + prop[base + 4] * a1 + prop[base + 7] * a2;
      h2 = prop[base + 2] * a0 + prop[base + 5] * a1 + prop[base + 8] * a2;
    } else {
      h0 = prop[base] * a0 + prop[base + 3] * a1;
      h1 = prop[base + 1] * a0 + prop[base + 4] * a1;
    }
    if (input) {
      h0 += rd * prop[base + 9] + rc * prop[base + 12];
      h1 += rd * prop[base + 10] + rc * prop[base + 13];
      h2 += rd * prop[base + 11] + rc * prop[base + 14];
    }
    mid[k] = h1 / V;
    if (peripheral) {
      a0 = prop[base] * h0 + prop[base + 3] * h1 + prop[base + 6] * h2;
      a1 = prop[base + 1] * h0 + prop[base + 4] * h1 + prop[base + 7] * h2;
      a2 = prop[base + 2] * h0 + prop[base + 5] * h1 + prop[base + 8] * h2;
    } else {
      a0 = prop[base] * h0 + prop[base + 3] * h1;
      a1 = prop[base + 1] * h0 + prop[base + 4] * h1;
    }
    if (input) {
      a0 += rd * prop[base + 9] + rc * prop[base + 12];
      a1 += rd * prop[base + 10] + rc * prop[base + 13];
      a2 += rd * prop[base + 11] + rc * prop[base + 14];
    }
  }
  return solution;
}

/**
 * Exponential-integrator weights for y′ = −λ·y + F(t) over a step h with F quadratic through
 * its values at 0, h/2 and h: y(h) = e^{−λh}·y(0) + w0·F(0) + wm·F(h/2) + w1·F(h). Exact for
 * quadratic forcing and stable for any λh. Writes [e^{−λh}, w0, wm, w1] at `at`.
 */
export function etdWeights(lambda: number, h: number, out: Float64Array, at: number): void {
  const z = lambda * h;
  const ez = Math.exp(-z);
  // I_k = ∫_0^1 e^{−zσ} σ^k dσ, by recurrence when z is large enough, else by series.
  let i0: number;
  let i1: number;
  let i2: number;
  if (z > 0.5) {
    i0 = -Math.expm1(-z) / z;
    i1 = (i0 - ez) / z;
    i2 = (2 * i1 - ez) / z;
  } else {
    i0 = 0;
    i1 = 0;
    i2 = 0;
    let term = 1; // (−z)^n / n!
    for (let n = 0; n < 30; n++) {
      i0 += term / (n + 1);
      i1 += term / (n + 2);
      i2 += term / (n + 3);
      term *= -z / (n + 1);
      if (Math.abs(term) < 1e-18) break;
    }
  }
  // moments of τ = 1 − σ: m_k = ∫_0^1 e^{−z(1−τ)} τ^k dτ
  const m0 = i0;
  const m1 = i0 - i1;
  const m2 = i0 - 2 * i1 + i2;
  out[at] = ez;
  out[at + 1] = h * (2 * m2 - 3 * m1 + m0);
  out[at + 2] = h * (4 * m1 - 4 * m2);
  out[at + 3] = h * (2 * m2 - m1);
}

/**
 * One step of a linear-response PD state y′ = p(C) − q(C)·y whose loss rate q varies with the
 * concentration (indirect response II and IV), from the concentrations at the start, middle and
 * end of the step: q frozen at the mid-step value and the remainder (q − q_mid)·y corrected
 * twice.
 */
function varyingLossStep(
  response: LinearResponse,
  dt: number,
  y0: number,
  c0: number,
  cm: number,
  c1: number,
): number {
  const pq = work.pq;
  response.coefficients(c0 > 0 ? c0 : 0, pq);
  const p0 = pq[0];
  const q0 = pq[1];
  response.coefficients(cm > 0 ? cm : 0, pq);
  const pm = pq[0];
  const qm = pq[1];
  response.coefficients(c1 > 0 ? c1 : 0, pq);
  const p1 = pq[0];
  const q1 = pq[1];
  const wStep = work.stepWeights;
  etdWeights(qm, dt, wStep, 0);
  let y1 = y0;
  for (let iter = 0; iter < 3; iter++) {
    // q − q_mid vanishes at mid-step, so only the ends carry the correction
    const f0 = p0 - (q0 - qm) * y0;
    const fm = pm;
    const f1 = p1 - (q1 - qm) * y1;
    y1 = wStep[0] * y0 + wStep[1] * f0 + wStep[2] * fm + wStep[3] * f1;
  }
  return y1;
}

/**
 * e^{K·t} = Σᵢ e^{λᵢt}·Pᵢ with the spectral projectors Pᵢ = Πⱼ≠ᵢ (K − λⱼI)/(λᵢ − λⱼ) of the
 * compartment matrix K (Sylvester's formula): one exponential per eigenvalue for every step
 * length, instead of the general convolution kernels. Valid for well-separated eigenvalues;
 * null (use the general propagation) when two rates nearly coincide.
 */
interface Projectors {
  /** The eigenvalues (1/h, negative); the first `m` of `lambdaSpace` when built in place. */
  lambdas: Float64Array;
  /** Per eigenvalue, a 3×3 projector (row-major). */
  readonly p: Float64Array;
}

/** Room for three eigenvalues and their projectors, filled in place by sylvesterProjectors. */
function projectorSpace(): Projectors & { readonly lambdaSpace: Float64Array } {
  const lambdaSpace = new Float64Array(3);
  return { lambdas: lambdaSpace, lambdaSpace, p: new Float64Array(27) };
}

/** The projectors of the PK system of the latest prediction (no re-entrance). */
const projectors = projectorSpace();

/**
 * The projectors of `sys`, written into `into` when given (no allocation: this runs for every
 * new set of PK parameters of a fit), else into new arrays.
 */
export function sylvesterProjectors(
  sys: LinearPkSystem,
  into: ReturnType<typeof projectorSpace> = projectorSpace(),
): Projectors | null {
  // rows: derivative of slot r; columns: amount in slot c; unused slots are zero rows/columns
  const used0 = sys.oral;
  const used2 = sys.twoCompartment;
  const K = projK;
  K.fill(0);
  if (used0) {
    K[0] = -sys.ka;
    K[3] = sys.ka;
  }
  K[4] = -(sys.k10 + sys.k12);
  if (used2) {
    K[5] = sys.k21;
    K[7] = sys.k12;
    K[8] = -sys.k21;
  }
  let m = 0;
  const lambdas = into.lambdaSpace;
  if (used0) lambdas[m++] = -sys.ka;
  if (used2) {
    lambdas[m++] = -sys.alpha;
    lambdas[m++] = -sys.beta;
  } else {
    lambdas[m++] = -sys.k10;
  }
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(lambdas[i]));
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      if (Math.abs(lambdas[i] - lambdas[j]) < 1e-3 * scale) return null;
    }
  }
  const p = into.p;
  for (let i = 0; i < m; i++) {
    const acc = projAcc;
    acc.fill(0);
    if (used0) acc[0] = 1;
    acc[4] = 1;
    if (used2) acc[8] = 1;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const lj = lambdas[j];
      const inv = 1 / (lambdas[i] - lj);
      // acc ← acc · (K − λⱼ·I_used) / (λᵢ − λⱼ)
      for (let r = 0; r < 3; r++) {
        const a0 = acc[r * 3];
        const a1 = acc[r * 3 + 1];
        const a2 = acc[r * 3 + 2];
        for (let c = 0; c < 3; c++) {
          const used = c === 0 ? used0 : c === 2 ? used2 : true;
          if (!used) {
            projTmp[r * 3 + c] = 0;
            continue;
          }
          const v =
            a0 * (K[c] - (c === 0 ? lj : 0)) +
            a1 * (K[3 + c] - (c === 1 ? lj : 0)) +
            a2 * (K[6 + c] - (c === 2 ? lj : 0));
          projTmp[r * 3 + c] = v * inv;
        }
      }
      acc.set(projTmp);
    }
    p.set(acc, 9 * i);
  }
  // A view of the first m eigenvalues, made once per count: creating one costs an allocation.
  if (into.lambdas.length !== m) into.lambdas = lambdas.subarray(0, m);
  return into;
}

const projK = new Float64Array(9);
const projAcc = new Float64Array(9);
const projTmp = new Float64Array(9);

/** Half-step propagator and input responses from the projectors, in predictSubject's layout. */
function fillFromProjectors(
  pr: Projectors,
  t: number,
  infusion: boolean,
  prop: Float64Array,
  base: number,
): void {
  for (let k = 0; k < 15; k++) prop[base + k] = 0;
  for (let i = 0; i < pr.lambdas.length; i++) {
    const l = pr.lambdas[i];
    const e = Math.exp(l * t);
    const g = -Math.expm1(l * t) / -l; // ∫_0^t e^{λs} ds
    const o = 9 * i;
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) prop[base + 3 * c + r] += e * pr.p[o + r * 3 + c];
      if (infusion) {
        prop[base + 9 + r] += g * pr.p[o + r * 3];
        prop[base + 12 + r] += g * pr.p[o + r * 3 + 1];
      }
    }
  }
}
