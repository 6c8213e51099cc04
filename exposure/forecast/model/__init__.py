"""The model's maths (MODEL_SPEC §2-§3, §5, §7): pure, vectorised formulas that read no data.

* `capability` — the task-length horizon, success probability, AI cost per success and the
  saving rate (§2.1-§2.2); `diffusion` — deployment gate, Bass curve, data stock (§2.3-§2.4);
* `game` — the layoff-trap game's profit function and closed forms (§3.1-§3.2);
  `thresholds` — the per-wage-dollar thresholds the forecast applies, with every policy
  (§3.4-§3.8, §7.3, §7.6); `concentration` — effective firms from HHI and CR4-CR50 (§3.8);
* `cost` — AI cost per task and its level μ (§7.1); `labour` — the stock-flow of the
  AI-displaced (§7.5); `macro` — Acemoglu's Hulten check (§5, §7.8);
* `_numeric` — the array conventions and bisection they share.
"""
