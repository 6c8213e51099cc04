"""A small, real DuckDB warehouse holding the forecast engine's published tables.

The rows are synthetic but follow the engine's table contract (columns, `run_id`, the
`latest_<table>` views), so the report, the anchors and `forecast-table` are tested without
running the engine. Figures are simple functions of the year so tests can state them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

RUN = "20261201T000000Z-abc123"
OLD_RUN = "20261101T000000Z-000000"
YEARS = range(2025, 2036)
# scenario -> (multiplier of P0's displacement, title, description)
SCENARIOS = {
    "P0": (1.0, "No policy", "The baseline: no policy moves any parameter."),
    "P1": (0.8, "Pigouvian automation tax",
           "A tax on automation at the rate that closes the layoff-trap wedge; moves t_k."),
    "P4": (0.9, "Upskilling and re-employment",
           "Retraining raises income replacement eta by 0.1 and the hiring rate h by half."),
}
BASELINE_2025 = 170e6
SECTORS = {"52": "Finance and Insurance", "62": "Health Care and Social Assistance",
           "44-45": "Retail Trade"}


def baseline(year: int) -> float:
    return BASELINE_2025 + 0.5e6 * (year - 2025)


def displaced_p50(scenario: str, year: int) -> float:
    """Cumulative displaced persons (median): 30,000 x (years since 2025)^2 x multiplier."""
    return SCENARIOS[scenario][0] * 30_000 * (year - 2025) ** 2


def _interval(p50: float) -> tuple[float, float, float]:
    return p50 - 0.2 * abs(p50), p50, p50 + 0.25 * abs(p50)


def _labour_rows() -> list[dict]:
    rows = []
    for s, (k, _, _) in SCENARIOS.items():
        for y in YEARS:
            d, t = displaced_p50(s, y), y - 2025
            national = {
                "displaced": ("persons", d), "unemployed": ("persons", 0.3 * d),
                "reemployed": ("persons", 0.7 * d),
                "labour_income_loss": ("USD per year", 20_000 * d),
                "demand_change": ("USD per year", -10_000 * d),
                "tfp_gain_pct": ("percent", 0.1 * t * k),
                "hours_automated_share": ("share", 0.02 * t * k),
                "entry_level_wc_displaced_share": ("share", 0.015 * t * k),
                "ai_unemployment_rate": ("share", 0.3 * d / BASELINE_2025),
            }
            scopes = [("national", m, u, v) for m, (u, v) in national.items()]
            scopes += [("52", "displaced", "persons", 0.1 * d), ("62", "displaced", "persons",
                                                                  0.2 * d)]
            for scope, measure, unit, value in scopes:
                p10, p50, p90 = _interval(value)
                rows.append({"run_id": RUN, "scenario": s, "year": y, "scope": scope,
                             "measure": measure, "unit": unit, "p10": p10, "p50": p50,
                             "p90": p90})
    return rows


def _totals() -> pl.DataFrame:
    rows = [{"run_id": RUN, "scenario": s, "year": y, "baseline_employment": baseline(y),
             "displaced_p10": 0.6 * displaced_p50(s, y), "displaced_p50": displaced_p50(s, y),
             "displaced_p90": 1.5 * displaced_p50(s, y), "displaced_mean": displaced_p50(s, y)}
            for s in SCENARIOS for y in YEARS]
    # an older run, which the latest_ views must hide
    rows.append({**rows[-1], "run_id": OLD_RUN, "displaced_p50": 1.0})
    return pl.DataFrame(rows)


def _cells() -> pl.DataFrame:
    rows = []
    for s in SCENARIOS:
        for y in (2030, 2035):
            for soc, sector, share in (("43-9061", "52", 0.05), ("15-1252", "51", 0.02),
                                       ("43-4051", "52", 0.03)):
                p50 = share * displaced_p50(s, y)
                rows.append({"run_id": RUN, "scenario": s, "year": y, "soc_code": soc,
                             "naics_sector": sector, "baseline_employment": 1e6,
                             "displaced_p10": 0.6 * p50, "displaced_p50": p50,
                             "displaced_p90": 1.5 * p50, "displaced_mean": p50,
                             "automated_share_mean": 0.1})
    return pl.DataFrame(rows)


SENSITIVITY = [  # parameter, description, centre, p10, p90, displaced at p10, at p90
    ("Td_months", "AI doubling time (months)", 7.0, 5.0, 11.0, 3.6e6, 2.4e6),
    ("a_10", "adopted wage-bill share in 10 years", 0.046, 0.036, 0.075, 2.2e6, 4.6e6),
    ("theta_sub", "share of automated time cut as headcount", 0.43, 0.35, 0.53, 2.5e6, 3.5e6),
    ("eta", "income replaced within the year", 0.65, 0.53, 0.77, 3.1e6, 2.9e6),
]


def _sensitivity() -> pl.DataFrame:
    return pl.DataFrame([{"run_id": RUN, "scenario": "P0", "year": 2035, "parameter": p,
                          "description": d, "centre_value": c, "low_value": lo,
                          "high_value": hi, "displaced_centre": 3.0e6, "displaced_low": dl,
                          "displaced_high": dh} for p, d, c, lo, hi, dl, dh in SENSITIVITY])


def _equilibrium() -> pl.DataFrame:
    rows = []
    for s in ("P0", "P1"):
        for i, sector in enumerate(SECTORS):
            coop = 0.10 + 0.05 * i
            nash = coop + 0.04 if s == "P0" else coop
            rows.append({"run_id": RUN, "scenario": s, "naics_sector": sector,
                         "n_firms": 10.0 * (i + 1), "alpha_nash": nash, "alpha_coop": coop,
                         "wedge": nash - coop, "pigouvian_tax": 0.12 if s == "P0" else 0.0,
                         "x_nash": 0.01, "x_coop": 0.13, "horizon_year": 2035})
    return pl.DataFrame(rows)


def _macro() -> pl.DataFrame:
    rows = [{"run_id": RUN, "scenario": None, "mode": "replication", "case": "baseline",
             "tfp_gain_pct": 0.66, "gdp_gain_pct": 0.93, "automated_share": 0.046,
             "pi_bar": 0.144, "outside_band": False}]
    for s, tfp in (("P0", (0.4, 0.6, 0.9)), ("P1", (0.3, 0.5, 0.8))):
        rows += [{"run_id": RUN, "scenario": s, "mode": "bottom_up", "case": c,
                  "tfp_gain_pct": v, "gdp_gain_pct": 1.5 * v, "automated_share": 0.05,
                  "pi_bar": 0.26, "outside_band": False}
                 for c, v in zip(("p10", "p50", "p90"), tfp, strict=True)]
    return pl.DataFrame(rows)


def tables() -> dict[str, pl.DataFrame]:
    sector_exposure = pl.DataFrame([
        {"run_id": RUN, "scorer": "rubric:human:beta", "year": 2024, "naics_sector": code,
         "sector_title": title, "employment": 1e6 * (i + 1), "exposure": 0.3 + 0.1 * i,
         "covered_employment_share": 0.98} for i, (code, title) in enumerate(SECTORS.items())])
    return {
        "run": pl.DataFrame([{"run_id": RUN, "status": "succeeded"}]),
        "source_file": pl.DataFrame([
            {"run_id": RUN, "table_name": "task", "path": "onet_29_2/Task Statements.xlsx",
             "sha256": "0" * 64, "release": "O*NET 29.2", "rows": 10},
            {"run_id": RUN, "table_name": "projection", "path": "bls_ep/occupation.xlsx",
             "sha256": "1" * 64, "release": "Employment Projections 2024-34", "rows": 10}]),
        "sector_exposure": sector_exposure,
        "displacement_total": _totals(),
        "displacement_forecast": _cells(),
        "forecast_scenario": pl.DataFrame([
            {"run_id": RUN, "scenario": s, "title": t, "description": d}
            for s, (_, t, d) in SCENARIOS.items()]),
        "labour_market_forecast": pl.DataFrame(_labour_rows()),
        "forecast_sensitivity": _sensitivity(),
        "sector_equilibrium": _equilibrium(),
        "macro_check": _macro(),
    }


def build(path: Path, only: tuple[str, ...] | None = None) -> Path:
    """Write the warehouse to `path` (only the tables in `only` when given, plus provenance)."""
    con = duckdb.connect(str(path))
    try:
        for name, frame in tables().items():
            if only is not None and name not in (*only, "run", "source_file"):
                continue
            con.register("incoming", frame.to_arrow())
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
            con.unregister("incoming")
            if "run_id" in frame.columns and name not in ("run", "source_file"):
                con.execute(f'CREATE VIEW "latest_{name}" AS SELECT * FROM "{name}" '
                            f'WHERE run_id = (SELECT max(run_id) FROM "{name}")')
    finally:
        con.close()
    return path
