"""ABM benchmark (MODEL_SPEC §4): agent-steps per second and peak memory of the vectorised
turns for 0.1%, 1% and 5% samples of the US workforce over 132 months (emergent mode, P0,
real mirror), beside a plain per-agent Python loop of the same review on a small sample.

Targets (issue 13): at least 1e8 agent-steps/s; 1% of the workforce for 132 months in at
most 10 s on the 2-core machine. Timed: drawing the agents and the turns (not reading the
mirror or preparing the forecast's task arrays, which are shared with the forecast).

Run: .venv/bin/python bench/abm.py [--shares 0.001 0.01 0.05] [--device cpu|gpu]
"""

from __future__ import annotations

import time

import numpy as np
from _timing import real_tables, repeat_parser, verdict
from forecast import peak_rss

from exposure.abm import AbmOptions, prepared, run_trace
from exposure.abm.simulate import ai_state

MONTHS = 132
TARGET_RATE = 1e8
TARGET_1PCT_S = 10.0


def python_loop(tables, prep, share: float, months: int) -> float:
    """Agent-steps per second of a plain loop: each agent, each review, each of its tasks."""
    opts = AbmOptions(share=share, months=months, mode="emergent")
    _, pop = run_trace(tables, prep, AbmOptions(share=share, months=1, mode="emergent"),
                           None)
    ai = ai_state(prep, prep.setups[0], opts)
    ta = prep.tasks
    weight = ta.omega * ta.exposure
    tasks_of = [[] for _ in range(pop.n_occ + 1)]
    for i, o in enumerate(ta.occ):
        tasks_of[o].append(i)
    start = time.perf_counter()
    automated = [0.0] * pop.size
    for m in range(months):
        if m % 3:
            continue
        s = ai.scores(float(m))
        for w in range(pop.size):
            thr = pop.skill[w] + 0.8 * pop.tie[w] + 0.1 - pop.rel_wage[w]
            automated[w] = sum(weight[i] for i in tasks_of[pop.occ[w]] if s[i] > thr)
    return pop.size * months / (time.perf_counter() - start)


def main() -> None:
    parser = repeat_parser(1, __doc__)
    parser.add_argument("--shares", type=float, nargs="+", default=[0.001, 0.01, 0.05])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--loop-share", type=float, default=0.00002)
    args = parser.parse_args()
    tables = real_tables()
    prep = prepared(tables, "P0")
    print(f"ABM, P0 emergent, {MONTHS} months, device {args.device}")
    for share in args.shares:
        opts = AbmOptions(share=share, months=MONTHS, mode="emergent", device=args.device)
        times = []
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            result, peak = peak_rss(lambda o=opts: run_trace(tables, prep, o, None))
            times.append(time.perf_counter() - start)
            size = result[1].size
            del result  # so that the next run's peak is its own, without this run's arrays
        seconds = float(np.median(times))
        rate = size * MONTHS / seconds
        line = (f"  {share:6.2%}: {size:>10,} agents  {seconds:6.2f} s  "
                f"{rate:9.3g} agent-steps/s [{verdict(rate >= TARGET_RATE)}]  "
                f"peak RSS {peak:5.2f} GiB")
        if abs(share - 0.01) < 1e-12:
            line += f"  1% in {seconds:.2f} s [{verdict(seconds <= TARGET_1PCT_S)}]"
        print(line)
    rate = python_loop(tables, prep, args.loop_share, 12)
    print(f"  plain Python loop ({args.loop_share:.3%} sample, 12 months): "
          f"{rate:9.3g} agent-steps/s")


if __name__ == "__main__":
    main()
