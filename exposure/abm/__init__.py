"""Agent-based worker simulation (MODEL_SPEC §4, calibrated as §7): who is displaced, for how
long, and what they earn after.

    from exposure.abm import AbmOptions, simulate
    out = simulate(tables, "P0", AbmOptions(share=0.01), forecast_tables=fc)

Modules: `population` (agents from OEWS), `ai` (per-task AI path), `caps` (coupled mode's
sector caps), `engine` (the vectorised monthly turns), `alternatives` (the incumbents,
domestic applicants and offshoring), `offshore` (the offshorability proxy O_i), `outputs`
(tables), `simulate` (entry point, warehouse reader), `backend` (NumPy / CuPy / PyTorch
through array-api-compat).

Choices where §4 is silent or leaves room (each [A] unless cited):

* **Agents** (§4 "Agents"): OEWS May 2024 detailed (occupation, sector) cells, ``share × E``
  agents per cell rounded stochastically (unbiased scale-up); wage lognormal through the
  cell's mean and median; skill θ_w = the agent's standard-normal wage percentile (§4's
  second option), so pay and quality move together; b_w ~ Beta(2,2); state drawn from the
  occupation's May 2025 state employment (all occupations' where it has none). Task bundle:
  the forecast's ω_i|o (IM×FT or task type, crosswalk split) times the exposure ceiling E_i.
* **Parameters**: one run uses each scenario's centres (§7.0 modes); the uncertainty is in
  the seeds, not in parameter draws. μ is the forecast's μ(a_10).
* **Output and review** (§4.1-4.2): μ_i cancels from every comparison. The incumbent's
  judged quality above the task mean is σ_q θ_w + e_w + β_soc b_w, where e_w, the evaluator's
  reading of R months of task-level noise (sd σ_ε·√(Σω²/R)), is drawn once per agent: a
  persistent impression, so that with frozen AI nothing new is displaced (§4 invariant).
  AI's cost is r_i in units of the occupation's mean wage (§7.1: AI cost does not scale
  with the worker's wage); the incumbent's is its relative wage c_w. AI takes task i when
  σ_q Φ⁻¹(p_i) − r_i > T_w (the engine's threshold, which adds m_switch + f_soc b_w and the
  firm's layoff-trap threshold x_j = ℓ·λ_k/N_k + tax per wage dollar, §7.3).
* **Status quo**: what AI already wins at t0 is not displacement; shares, caps and the
  task-to-job rule count automation since t0 (as the forecast does).
* **Task-to-job** (§4.3): a job whose remaining share of its t0 human time falls below
  ρ_min is cut if it is a substitution job (a fixed U(0,1) draw below θ_sub); augmentation
  jobs keep their worker. Then "only a share θ_sub of automated time turns into headcount
  cuts" is applied as consolidation: a sector's cuts so far are topped up to θ_sub × its
  automated time (in jobs), taking substitution jobs with the most automated time first
  (binned, the marginal bin by a fixed draw). Without it, automation spread thinly over
  many workers cut almost no jobs and coupled mode fell far below the forecast it follows
  (0.34 against 1.99-5.02 million by 2035). A displaced job leaves the review.
* **Status quo gates**: a task reliable before t0 has its gate open from the start (the
  forecast's t_cap = −∞); only tasks that become reliable later wait for the gate's lag.
* **Coupling** (§4.4): α_j(t) is the forecast's automated-share path of the same scenario
  (`caps`); under the cap the largest AI advantage (best open task score − T_w) goes first,
  the marginal advantage bin (1/100 σ_q) pro rata, so the cap is met exactly.
* **AI update** (§4.5, §2.4): see `ai`; the singularity loop is off by default.
* **Labour market** (§4.6, §7.5): h = h0 (V/U)^0.5 with V/U = 1 before AI (u0 = v0 = 4%),
  u rising with the AI-unemployed and v falling with the demand lost (λ_tot × income loss
  over value added); a displaced worker's Exp(1) clock against the integrated hazard from
  the month after displacement (exactly a monthly Bernoulli with hazard h). Re-employed
  wage min(1, η + 0.1) × old (the forecast's rule, 0.75 at centres, inside §4's 0.75-0.8);
  UI 45% for 6 months. Sector demand change = λ_k share of −λ_tot × income loss. The
  re-employed leave the model's task bundles.
* **Policies**: the thresholds' taxes (none, Pigouvian, fixed; the planner's tax is
  refused), P4's η and h, P7's data withheld (o_i = CBI·G_o in the data stock) and
  evaluation withheld (the forecast's gate lag); in coupled mode the cap carries every
  policy's effect on the amount of automation.

* **Domestic applicants** (§4.2 a; `AbmOptions.domestic`, off by default): at every review
  the best of K_d = 5 fresh applicants, judged like the incumbent and hired at the cell's
  mean wage (c = 1), takes the job when its net value beats the incumbent's by more than
  m_switch + f_soc b_w (no layoff-trap threshold: the job and its pay stay). The incumbent
  joins the unemployed with its own Exp(1) clock and the same hazard; the hire, an entrant
  from outside the agents (a job seeker already counted in u0, so u is unchanged), takes
  the job, its threshold and its place in the sorted order. Off by default because at §4's
  parameters the first review replaces 75% of the 2024 workforce in month 0: the agents are
  unselected draws of the wage distribution, paid by skill, while the hire is the best of
  5 at the mean wage. Afterwards churn is 1.2% of employment a month over the horizon
  (JOLTS layoffs and discharges: about 1.0-1.2%), falling to 0.35% in the last three years
  as each hire is harder to beat; and the hires, good value at c = 1, leave AI almost
  nothing to take (P0 emergent, 0.2% sample: 574 AI-displaced agents against 19,077).
  Figures under it describe that artefact more than AI.
* **Offshoring** (§4.2 b; `AbmOptions.offshoring`, off by default): tasks with O_i > 0.5
  (`offshore`: an [A] proxy from task_feature, after Blinder, since no O_i is published)
  go abroad, all of the job's at once, when quality −0.2 at 0.4 c_w beats the incumbent by
  the margin, with the layoff-trap threshold x_j as for AI (the wage leaves the economy)
  but no automation tax. What offshoring wins at t0 is the status quo (already abroad; AI
  cannot take it), as for AI; since nothing in §4 moves the comparison later, only a new
  domestic hire can send work abroad after t0, and a job is cut (cause `offshored`) when
  its remaining human time falls below ρ_min (no θ_sub: that share is AI's). Newly
  offshored time is the offshorable share × the job's remaining human share [A]. Off by
  default because the status quo alone takes the offshorable tasks of the jobs that lose
  to it (mostly workers judged well below the task mean) out of AI's reach: emergent P0
  automates 8.7% of task time instead of 14.4% by 2035 (0.2% sample), on a proxy that
  rates 44% of task time offshorable against Blinder's 22-29% of jobs.
* **Causes**: AI displacement, domestic replacement and offshoring are counted apart; the
  consolidation rule and the per-key tables count AI's only, and the lost income that cuts
  vacancies is the AI-displaced and offshored workers'. Conservation: employed + unemployed
  + re-employed = the agents + the hires, every month.

Not modelled: firm budgets α_f from demand in emergent mode, the data dividend in
thresholds.
"""

from exposure.abm.engine import AbmOptions
from exposure.abm.simulate import prepared, run_trace, simulate

__all__ = ["AbmOptions", "prepared", "run_trace", "simulate"]
