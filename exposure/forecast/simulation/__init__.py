"""The Monte-Carlo of the forecast (MODEL_SPEC §7): tasks × draws × years.

* `tasks` — the per-task arrays (time shares, exposure ceiling, cells, wages);
* `montecarlo` — the draws, seeded per draw (common random numbers), and each scenario's
  set-up;
* `simulate` — one chunk of draws for every scenario of a group (`run_chunk`);
* `kernels` — the hot-path forms of §2.1-§2.3 that `simulate` evaluates.
"""
