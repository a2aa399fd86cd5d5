#!/usr/bin/env python3
"""NumPy baseline for the population-simulation benchmark (bench/simulation.ts).

Simulates the same virtual population as the TypeScript engine: one-compartment oral PK
(depot -> central) and an indirect-response biomarker (inhibition of production), once-daily
doses into the depot, output every hour. All subjects are integrated at once as vectors with
classical fixed-step RK4 on the three states [A_depot (mg), A_central (mg), R (ng/mL)].

Input (JSON file given as argv[1]): {"CL", "V", "ka", "baseline", "kout", "Imax", "IC50":
per-subject arrays; "amt" (mg), "interval" (h), "doses", "hours" (h, output 0..hours hourly),
"step" (h, must divide 1 h and the interval), "keep" (subjects whose curves are returned)}.

Output (stdout, one JSON object): {"seconds" (simulation only, excludes I/O), "subjects",
"hours", "step", "concentration" and "biomarker" for the first `keep` subjects (hourly)}.
"""
import json
import sys
import time

import numpy as np


def simulate(p, amt, interval, doses, hours, step):
    cl, v, ka = p["CL"], p["V"], p["ka"]
    r0, kout, imax, ic50 = p["baseline"], p["kout"], p["Imax"], p["IC50"]
    ke = cl / v
    kin = kout * r0
    n = cl.shape[0]
    ad = np.zeros(n)
    ac = np.zeros(n)
    r = r0.copy()
    per_hour = int(round(1 / step))
    per_interval = int(round(interval / step))
    n_steps = int(round(hours / step))
    conc = np.empty((hours + 1, n))
    bio = np.empty((hours + 1, n))

    def rhs(ad, ac, r):
        c = ac / v
        return (-ka * ad, ka * ad - ke * ac, kin * (1 - imax * c / (ic50 + c)) - kout * r)

    for s in range(n_steps + 1):
        # A dose at this step's start time enters the depot before the step (and the output).
        if s % per_interval == 0 and s // per_interval < doses:
            ad += amt
        if s % per_hour == 0:
            conc[s // per_hour] = ac / v
            bio[s // per_hour] = r
        if s == n_steps:
            break
        k1 = rhs(ad, ac, r)
        k2 = rhs(ad + 0.5 * step * k1[0], ac + 0.5 * step * k1[1], r + 0.5 * step * k1[2])
        k3 = rhs(ad + 0.5 * step * k2[0], ac + 0.5 * step * k2[1], r + 0.5 * step * k2[2])
        k4 = rhs(ad + step * k3[0], ac + step * k3[1], r + step * k3[2])
        ad = ad + step / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        ac = ac + step / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        r = r + step / 6 * (k1[2] + 2 * k2[2] + 2 * k3[2] + k4[2])
    return conc, bio


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    params = {k: np.asarray(spec[k], dtype=float) for k in ("CL", "V", "ka", "baseline", "kout", "Imax", "IC50")}
    hours = int(spec["hours"])
    t0 = time.perf_counter()
    conc, bio = simulate(params, spec["amt"], spec["interval"], spec["doses"], hours, spec["step"])
    seconds = time.perf_counter() - t0
    keep = int(spec.get("keep", 0))
    json.dump(
        {
            "seconds": seconds,
            "subjects": int(params["CL"].shape[0]),
            "hours": hours,
            "step": spec["step"],
            "numpy": np.__version__,
            "concentration": conc[:, :keep].T.tolist(),
            "biomarker": bio[:, :keep].T.tolist(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
