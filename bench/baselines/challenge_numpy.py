#!/usr/bin/env python3
"""NumPy baseline for the challenge benchmark (bench/challenge.ts).

The same population simulation as the TypeScript engine's runChallenge, written
independently and vectorised across subjects. For each scenario (a sampled virtual
population, handed over as individual parameters) and each regimen (dosing interval, dose
step):

1. PK: the steady-state central concentration per mg of an oral dose repeated every tau
   hours, on the grid t_i = tau*i/(2n), i = 0..2n (the n scoring steps and their midpoints).
   Linear PK with rate matrix K (depot -> central <-> peripheral; depot -> central for one
   compartment): amounts at steady state just after a dose are (I - e^{K tau})^{-1} b, and
   e^{K t} of that is the profile. All subjects at once through a batched eigen-decomposition
   K = P diag(l) P^{-1} (np.linalg.eig over an (N, d, d) stack).
2. PD: indirect response I (inhibition of production), R' = kin (1 - Imax f(C)) - kout R with
   f the Hill fraction. Over each scoring step of length h the loss rate is constant, so the
   exponential integrator with the production term quadratic through the step's start,
   middle and end is exact for quadratic forcing: R1 = e^{-kout h} R0 + w0 p0 + wm pm + w1 p1.
   One interval maps R affinely, R(tau) = Phi R(0) + psi, so the periodic steady state is
   R(0) = psi / (1 - Phi). The worst value is the maximum (below) or minimum (above) over
   the n + 1 scoring points.
3. Dose search: doses k*step, k = 0..K. The worst biomarker is monotone in the dose, so each
   subject's attaining doses are one run of the grid, found by bisection; all subjects bisect
   in lock-step (about log2 K iterations), each iteration one vectorised evaluation.
4. Counts of attaining subjects per dose and the smallest dose reaching each target.

Input (JSON file, argv[1]): {"threshold": {"value", "direction"}, "targets": [...],
"max_steps": K, "probe_steps", "probe_subjects", "regimens": [{"interval", "step",
"scoring_step"}], "scenarios": [{"name", "pk": {"CL", "V", "ka", "F1", "Q"?, "V2"?}, "pd":
{"baseline", "kout", "Imax", "IC50", "hill"}}]} with per-subject arrays.

Output (stdout, one JSON object): {"seconds" (computation only, excludes JSON I/O),
"cpu_seconds" (its process CPU time), "numpy", "answers": [{"scenario", "interval",
"target", "dose", "attainment"}], "counts": [{"scenario", "interval", "counts": subjects
attaining at each dose k*step, k = 0..K}], "probe": [{"scenario", "interval", "dose",
"worst": the worst biomarker of the first "probe_subjects" subjects at dose
"probe_steps"*step}] (not timed)}.
"""
import json
import math
import sys
import time

import numpy as np


# Subjects per block in the PD evaluation: (time, subject) temporaries of ~1,000 subjects stay
# in cache; all 10,000 at once ran about half as fast.
BLOCK = 1024


def scoring_steps(interval, step):
    return max(1, math.ceil(interval / step - 1e-9))


def steady_state_per_mg(pk, interval, n):
    """Central concentration per mg at steady state on t_i = interval*i/(2n): (2n+1, N)."""
    cl, v, ka = pk["CL"], pk["V"], pk["ka"]
    f1 = pk["F1"]
    N = cl.shape[0]
    two = "Q" in pk and "V2" in pk
    d = 3 if two else 2
    k = np.zeros((N, d, d))
    k10 = cl / v
    k[:, 0, 0] = -ka
    k[:, 1, 0] = ka
    k[:, 1, 1] = -k10
    if two:
        k12 = pk["Q"] / v
        k21 = pk["Q"] / pk["V2"]
        k[:, 1, 1] -= k12
        k[:, 1, 2] = k21
        k[:, 2, 1] = k12
        k[:, 2, 2] = -k21
    lam, p = np.linalg.eig(k)  # (N, d), (N, d, d); real for these (triangular-block) matrices
    lam = lam.real
    p = p.real
    # b = F1 * e_depot in the eigenbasis: c = P^{-1} b.
    b = np.zeros((N, d))
    b[:, 0] = f1
    c = np.linalg.solve(p, b[..., None])[..., 0]  # (N, d)
    # Steady state just after a dose, per eigen-mode: c_j / (1 - e^{l_j tau}); central row of P.
    coef = p[:, 1, :] * c / (-np.expm1(lam * interval)) / v[:, None]  # (N, d)
    t = interval * np.arange(2 * n + 1) / (2 * n)  # (T,)
    out = np.zeros((t.shape[0], N))
    for j in range(d):
        out += coef[:, j] * np.exp(np.outer(t, lam[:, j]))
    return out


def etd_weights(z, h):
    """Exponential-integrator weights [e, w0, wm, w1] for y' = -l y + F, z = l h (vectors)."""
    e = np.exp(-z)
    # m_k = int_0^1 e^{-z(1-s)} s^k ds: closed-form recurrence for z >= 1, series below.
    zs = np.where(z >= 1, z, 1.0)
    m0r = -np.expm1(-zs) / zs
    m1r = (1 - m0r) / zs
    m2r = (1 - 2 * m1r) / zs
    # series: m_k = sum_j (-z)^j k! / (j + k + 1)!
    zz = np.where(z >= 1, 0.0, z)
    m0s = np.zeros_like(z)
    m1s = np.zeros_like(z)
    m2s = np.zeros_like(z)
    term = np.ones_like(z)  # (-z)^j / (j + 1)!
    for j in range(24):
        m0s += term
        m1s += term / (j + 2)
        m2s += 2 * term / ((j + 2) * (j + 3))
        term = term * (-zz) / (j + 2)
    big = z >= 1
    m0 = np.where(big, m0r, m0s)
    m1 = np.where(big, m1r, m1s)
    m2 = np.where(big, m2r, m2s)
    # Lagrange basis through s = 0, 1/2, 1.
    w0 = h * (2 * m2 - 3 * m1 + m0)
    wm = h * (4 * m1 - 4 * m2)
    w1 = h * (2 * m2 - m1)
    return e, w0, wm, w1


class Response:
    """Indirect response I at periodic steady state, for per-subject doses, all subjects.

    Arrays are (time, subject): each time point's values are contiguous across subjects.
    """

    def __init__(self, pd, per_mg, interval, n):
        self.u = per_mg  # (2n+1, N)
        self.n = n
        self.kin = pd["kout"] * pd["baseline"]
        self.imax = pd["Imax"]
        self.ic50 = pd["IC50"]
        self.hill = pd["hill"]
        self.unit_hill = bool(np.all(self.hill == 1))
        self.e, self.w0, self.wm, self.w1 = etd_weights(pd["kout"] * (interval / n), interval / n)
        # psi = sum_j e^{n-1-j} forcing_j; Phi = e^n.
        self.powers = self.e[None, :] ** np.arange(n - 1, -1, -1)[:, None]  # (n, N)
        self.phi = self.e**n

    def worst(self, dose, below):
        """Worst biomarker over the n + 1 scoring points for per-subject doses (N,)."""
        out = np.empty_like(dose)
        # Blocks of subjects, so that the (time, subject) temporaries stay in cache.
        for s in range(0, dose.shape[0], BLOCK):
            b = slice(s, s + BLOCK)
            out[b] = self._worst(b, dose[b], below)
        return out

    def _worst(self, b, dose, below):
        # Production kin (1 - Imax f(C)) at every grid point, in place.
        prod = self.u[:, b] * dose  # concentration (T, B)
        ic50 = self.ic50[b]
        if self.unit_hill:
            denom = prod + ic50
            np.divide(prod, denom, out=prod)
        else:
            with np.errstate(divide="ignore"):
                prod = np.where(prod > 0, 1 / (1 + (ic50 / prod) ** self.hill[b]), 0.0)
        prod *= self.imax[b]
        np.subtract(1.0, prod, out=prod)
        prod *= self.kin[b]
        forcing = self.w0[b] * prod[0:-1:2]
        forcing += self.wm[b] * prod[1::2]
        forcing += self.w1[b] * prod[2::2]  # (n, B)
        psi = np.einsum("jn,jn->n", self.powers[:, b], forcing)
        y = psi / (1 - self.phi[b])
        worst = y.copy()
        e = self.e[b]
        keep = np.maximum if below else np.minimum
        for j in range(self.n):
            np.multiply(y, e, out=y)
            y += forcing[j]
            keep(worst, y, out=worst)
        return worst


def attainment_runs(resp, step, steps, value, below):
    """Per subject the attaining grid indices [frm, to] (empty when frm > to)."""
    def attains(k):
        w = resp.worst(k * step, below)
        return w < value if below else w > value

    N = resp.kin.shape[0]
    a0 = attains(np.zeros(N))
    ak = attains(np.full(N, float(steps)))
    lo = np.zeros(N, dtype=np.int64)
    hi = np.full(N, steps, dtype=np.int64)
    search = a0 != ak
    while True:
        active = search & (hi - lo > 1)
        if not active.any():
            break
        mid = (lo + hi) // 2
        same = attains(mid.astype(float)) == a0
        lo = np.where(active & same, mid, lo)
        hi = np.where(active & ~same, mid, hi)
    frm = np.where(search, np.where(a0, 0, hi), np.where(a0, 0, steps + 1))
    to = np.where(search, np.where(a0, lo, steps), np.where(a0, steps, -1))
    return frm, to


def counts_from_runs(frm, to, steps):
    ok = frm <= to
    diff = np.bincount(frm[ok], minlength=steps + 2)[: steps + 2]
    diff = diff - np.bincount(to[ok] + 1, minlength=steps + 2)[: steps + 2]
    return np.cumsum(diff)[: steps + 1]


def probe(spec, keep):
    """Worst biomarker of the first `keep` subjects at dose probe_steps*step (untimed check)."""
    below = spec["threshold"]["direction"] == "below"
    out = []
    for sc in spec["scenarios"]:
        pk = {k: v[:keep] for k, v in sc["pk"].items()}
        pd = {k: v[:keep] for k, v in sc["pd"].items()}
        for reg in spec["regimens"]:
            interval = float(reg["interval"])
            n = scoring_steps(interval, float(reg["scoring_step"]))
            resp = Response(pd, steady_state_per_mg(pk, interval, n), interval, n)
            dose = spec["probe_steps"] * float(reg["step"])
            worst = resp.worst(np.full(pk["CL"].shape[0], dose), below)
            out.append(
                {"scenario": sc["name"], "interval": interval, "dose": dose, "worst": worst.tolist()}
            )
    return out


def run(spec):
    value = float(spec["threshold"]["value"])
    below = spec["threshold"]["direction"] == "below"
    steps = int(spec["max_steps"])
    answers = []
    curves = []
    for sc in spec["scenarios"]:
        pk = sc["pk"]
        pd = sc["pd"]
        N = pk["CL"].shape[0]
        for reg in spec["regimens"]:
            interval = float(reg["interval"])
            n = scoring_steps(interval, float(reg["scoring_step"]))
            per_mg = steady_state_per_mg(pk, interval, n)
            resp = Response(pd, per_mg, interval, n)
            frm, to = attainment_runs(resp, float(reg["step"]), steps, value, below)
            counts = counts_from_runs(frm, to, steps)
            curves.append({"scenario": sc["name"], "interval": interval, "counts": counts.tolist()})
            for target in spec["targets"]:
                reach = np.nonzero(counts >= target * N - 1e-9)[0]
                k = int(reach[0]) if reach.size else -1
                answers.append(
                    {
                        "scenario": sc["name"],
                        "interval": interval,
                        "target": target,
                        "dose": float(f"{k * float(reg['step']):.12g}") if k >= 0 else None,
                        "attainment": float(counts[k] / N) if k >= 0 else None,
                    }
                )
    return answers, curves


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    for sc in spec["scenarios"]:
        for part in ("pk", "pd"):
            sc[part] = {k: np.asarray(v, dtype=float) for k, v in sc[part].items()}
    t0 = time.perf_counter()
    c0 = time.process_time()
    answers, curves = run(spec)
    cpu_seconds = time.process_time() - c0
    seconds = time.perf_counter() - t0
    json.dump(
        {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "numpy": np.__version__,
            "answers": answers,
            "counts": curves,
            "probe": probe(spec, int(spec.get("probe_subjects", 0))),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
