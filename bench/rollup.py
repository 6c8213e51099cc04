"""Roll-up benchmark: features + built-in scorers + every roll-up on the real mirror, next to
the same roll-up written naively in pandas, in the same run.

Target (DESIGN.md): features + built-in scorers + roll-ups <= 2 s on the 2-core machine.
Timed as the refresh's stages run them, from the reference tables (read once before timing;
that is ingest's cost, see bench/ingest.py):
- features: `build_task_features(tables, employment_year=2024)`;
- scorers: the scorer inputs (`task_inputs`, `task_targets`), then each built-in scorer
  through `load_scorer` and `score_tasks`: the six rubric variants (gpt4/human x
  alpha/beta/gamma), `leverage` (the fitted EBM: about 13 s of the figure), and `learned` prediction
  only, with a model fitted before timing (its training is bench/scoring.py's business);
- roll-ups: `exposure.stages.rollup` on those eight scorers' task scores, which is what the
  refresh runs: occupation scores, `occupation_exposure` (May 2024), the national headline,
  `sector_exposure` (May 2022-2024), major SOC groups (May 2021-2024) and `area_exposure`
  (May 2025 states).
The naive pandas roll-up does the same roll-ups for the same eight scorers (pandas is
needed only for that comparison).
Run: .venv/bin/python bench/rollup.py [--repeat N]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from _timing import real_tables, repeat_parser, timed

from exposure.features import build_task_features
from exposure.scorers import load_scorer, score_tasks, scorer_name, task_inputs, task_targets
from exposure.stages import rollup

RUBRICS = [f"rubric:{rater}:{m}" for rater in ("gpt4", "human") for m in ("alpha", "beta", "gamma")]
YEAR = 2024
TARGET_S = 2.0
TYPE_WEIGHTS = {"Core": 2.0, "Supplemental": 1.0}
# The roll-up tables of `exposure.stages.rollup`, by the names the pandas version uses.
TABLES = {"occupation": "occupation_exposure", "headline": "headline",
          "sector": "sector_exposure", "major": "major_group_exposure", "area": "area_exposure"}


class Fitted:
    """A fitted scorer whose `fit` does nothing, so `score_tasks` times prediction only."""

    def __init__(self, scorer: Any) -> None:
        self.scorer = scorer
        self.name = scorer_name(scorer)

    def fit(self, X: pl.DataFrame, y: Any = None) -> Fitted:
        return self

    def predict(self, X: pl.DataFrame) -> np.ndarray:
        return self.scorer.predict(X)

    def predict_sd(self, X: pl.DataFrame) -> np.ndarray:  # the score stage's score_sd
        return self.scorer.predict_sd(X)


def inputs(tables: dict[str, pl.DataFrame],
           features: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The scorers' `X` and `y`, as the refresh's score stage makes them."""
    X = task_inputs(tables, features)
    return X, task_targets(tables, X)


def score(tables: dict[str, pl.DataFrame], X: pl.DataFrame, y: pl.Series,
          specs: list[str]) -> pl.DataFrame:
    """The `task_exposure` rows of `specs`, as the refresh's score stage makes them."""
    return pl.concat([score_tasks(load_scorer(spec, tables), X, y) for spec in specs])


# --- the same roll-up, written the obvious way in pandas ------------------------------------

def pandas_rollups(pdt: dict, scores: dict) -> dict[str, dict]:
    import pandas as pd

    def wmean(values, weights):
        ok = values.notna() & weights.notna()
        return (values[ok] * weights[ok]).sum() / weights[ok].sum() if weights[ok].sum() else None

    out = {}
    cw, emp = pdt["crosswalk"], pdt["employment"]
    for scorer, te in scores.items():
        tasks = pdt["task"][["onet_soc_code", "task_id", "task_type"]].copy()
        tasks["weight"] = tasks["task_type"].apply(lambda t: TYPE_WEIGHTS.get(t, 1.0))
        tasks = tasks.merge(te, on=["onet_soc_code", "task_id"], how="left")

        def occupation(g):
            s = g[g["score"].notna()]
            w = s["weight"].sum()
            return pd.Series({
                "exposure": (s["weight"] * s["score"]).sum() / w if w else None,
                "share_exposed": s.loc[s["score"] >= 0.5, "weight"].sum() / w if w else None,
            })

        occ = tasks.groupby("onet_soc_code").apply(occupation).reset_index()
        nat = emp[(emp["year"] == YEAR) & (emp["area_type"] == "national")
                  & (emp["naics_sector"] == "all") & (emp["o_group"] == "detailed")]
        table = occ.merge(cw[["onet_soc_code", "soc_code", "split_weight"]], how="left")
        table = table.merge(nat[["soc_code", "employment"]], on="soc_code", how="left")
        table["employment"] = table["employment"] * table["split_weight"]

        covered = table[table["exposure"].notna() & table["employment"].notna()]
        headline = {}
        for t in (0.1, 0.5):
            headline[t, True] = covered.loc[covered["exposure"] >= t, "employment"].sum() / \
                covered["employment"].sum()
            headline[t, False] = covered.loc[covered["exposure"] > t, "employment"].sum() / \
                covered["employment"].sum()

        m = cw.merge(occ, on="onet_soc_code")
        m = m[m["exposure"].notna() & (m["split_weight"] > 0)]
        soc = m.groupby("soc_code").apply(lambda g: pd.Series({
            "soc_exposure": wmean(g["exposure"], g["split_weight"]),
            "scored_weight": g["split_weight"].sum()})).reset_index()

        def groups(cells, keys, totals, soc=soc):
            cells = cells.merge(soc, on="soc_code", how="left")
            cells["wage"] = cells["annual_mean_wage"].fillna(cells["hourly_mean_wage"] * 2080)
            cells["cov"] = (cells["employment"] * cells["scored_weight"]).fillna(0)
            cells["bill"] = (cells["cov"] * cells["wage"]).fillna(0)
            g = cells.groupby(keys).apply(lambda g: pd.Series({
                "exposure": wmean(g["soc_exposure"], g["cov"]),
                "exposure_wage_weighted": wmean(g["soc_exposure"], g["bill"]),
                "covered": g["cov"].sum()})).reset_index()
            g = totals.merge(g, on=keys, how="left")
            g["exposed_employment"] = g["employment"] * g["exposure"]
            g["covered_employment_share"] = (g["covered"] / g["employment"]).clip(upper=1)
            return g

        sec = emp[(emp["area_type"] == "national") & (emp["naics_sector"] != "all")]
        sector = groups(sec[sec["o_group"] == "detailed"], ["year", "naics_sector"],
                        sec[sec["o_group"] == "total"][["year", "naics_sector", "employment"]])
        nat_all = emp[(emp["area_type"] == "national") & (emp["naics_sector"] == "all")].copy()
        nat_all["soc_major"] = nat_all["soc_code"].str[:2] + "-0000"
        major = groups(nat_all[nat_all["o_group"] == "detailed"], ["year", "soc_major"],
                       nat_all[nat_all["o_group"] == "major"][["year", "soc_major",
                                                               "employment"]])
        st = emp[emp["area_type"] == "state"].copy()
        st["soc_major"] = "all"
        area = groups(st[st["o_group"] == "detailed"], ["area_code", "soc_major"],
                      st[st["o_group"] == "total"][["area_code", "soc_major", "employment"]])
        states = st[~st["area_code"].isin(["60", "66", "69", "72", "78"])].copy()
        states["area_code"] = "US"
        nation = groups(states[states["o_group"] == "detailed"], ["area_code", "soc_major"],
                        states[states["o_group"] == "total"].groupby(
                            ["area_code", "soc_major"], as_index=False)["employment"].sum())
        area["national_exposure"] = nation["exposure"].iloc[0]
        out[scorer] = {"occupation": table, "headline": headline, "sector": sector,
                       "major": major, "area": pd.concat([nation, area])}
    return out


def max_difference(fast: dict[str, pl.DataFrame], slow: dict) -> float:
    """Largest absolute difference between the polars and pandas figures."""
    worst = 0.0
    for scorer, other in slow.items():
        tables = {short: fast[name].filter(pl.col("scorer") == scorer)
                  for short, name in TABLES.items()}
        a = tables["occupation"].select("onet_soc_code", "exposure", "employment").to_pandas()
        b = other["occupation"].merge(a, on="onet_soc_code", suffixes=("_pd", ""))
        worst = max(worst, (b["exposure"] - b["exposure_pd"]).abs().max(),
                    ((b["employment"] - b["employment_pd"]).abs()
                     / b["employment"].clip(lower=1)).max())
        for row in tables["headline"].iter_rows(named=True):
            worst = max(worst, abs(row["share_of_workers"]
                                   - other["headline"][row["threshold"], row["inclusive"]]))
        for name, keys in (("sector", ["year", "naics_sector"]), ("major", ["year", "soc_major"])):
            a = tables[name].select(*keys, "exposure", "exposure_wage_weighted").to_pandas()
            b = other[name].merge(a, on=keys, suffixes=("_pd", ""))
            for col in ("exposure", "exposure_wage_weighted"):
                worst = max(worst, (b[col] - b[f"{col}_pd"]).abs().max())
        a = tables["area"].filter(pl.col("soc_major") == "all").select(
            "area_code", "exposure", "national_exposure").to_pandas()
        b = other["area"].merge(a, on="area_code", suffixes=("_pd", ""))
        for col in ("exposure", "national_exposure"):
            worst = max(worst, (b[col].astype(float) - b[f"{col}_pd"].astype(float)).abs().max())
    return float(worst)


def main() -> None:
    args = repeat_parser(5, __doc__).parse_args()
    tables = real_tables()
    features = build_task_features(tables, employment_year=YEAR)
    X, y = inputs(tables, features)
    learned = Fitted(load_scorer("learned", tables).fit(X, y))  # untimed: bench/scoring.py

    parts: list[tuple[str, float]] = []

    def part(label: str, fn: Any) -> Any:
        seconds, result = timed(fn, args.repeat)
        parts.append((label, seconds))
        print(f"  {label:<52} {seconds:6.3f} s")
        return result

    print(f"median of {args.repeat} runs each; {X.height:,} tasks")
    features = part("features (build_task_features)",
                    lambda: build_task_features(tables, employment_year=YEAR))
    X, y = part("scorer inputs (task_inputs + task_targets)", lambda: inputs(tables, features))
    rubric = part(f"rubric scorers ({len(RUBRICS)}: fit + predict)",
                  lambda: score(tables, X, y, RUBRICS))
    leverage = part("leverage scorer (fit + predict + predict_sd)",
                    lambda: score(tables, X, y, ["leverage"]))
    learned_scores = part("learned scorer (predict + predict_sd; fitted before)",
                          lambda: score_tasks(learned, X, y))
    task_exposure = pl.concat([rubric, leverage, learned_scores])
    n_scorers = task_exposure.get_column("scorer").n_unique()
    fast = part(f"roll-ups, polars ({n_scorers} scorers, stages.rollup)",
                lambda: rollup({**tables, "task_exposure": task_exposure}, employment_year=YEAR))
    total = sum(seconds for _, seconds in parts)
    print(f"  {'features + scorers + roll-ups':<52} {total:6.3f} s   target <= {TARGET_S:.0f} s: "
          f"{'met' if total <= TARGET_S else 'MISSED'}")
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("pandas comparison: skipped (pandas is not installed)")
        return
    rollup_s = dict(parts)[f"roll-ups, polars ({n_scorers} scorers, stages.rollup)"]
    pdt = {name: tables[name].to_pandas() for name in ("task", "crosswalk", "employment")}
    pd_scores = {name: frame.drop("scorer").to_pandas()
                 for (name,), frame in task_exposure.group_by("scorer", maintain_order=True)}
    repeat = max(1, args.repeat // 2)
    slow_s, slow = timed(lambda: pandas_rollups(pdt, pd_scores), repeat)
    print(f"  {f'roll-ups, naive pandas ({n_scorers} scorers, groupby-apply)':<52} "
          f"{slow_s:6.3f} s   (median of {repeat}; {slow_s / rollup_s:.0f}x the polars roll-ups)")
    print(f"largest difference between the two: {max_difference(fast, slow):.2e}")


if __name__ == "__main__":
    main()
