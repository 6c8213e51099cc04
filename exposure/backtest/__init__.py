"""The backtest: does exposure predict what has happened to employment since generative AI
arrived? National OEWS employment of each BLS detailed occupation in May 2021 (`panel.BASE_YEAR`)
and in the latest national May release of the run, against each scorer's exposure of the
occupation (`bls_occupation_exposure`).

The `backtest` table (`exposure.backtest.table`) holds, per scorer, rows of four kinds:
- `coverage`: which codes could be compared (`panel`: matched, base_only, end_only,
  suppressed) and, of the matched ones, those without an exposure (`unscored`,
  left out of everything) and those without every control (`no_controls`, left out of the
  regression only);
- `quintile`: employment growth of each employment-weighted exposure quintile (`quintiles`);
- `gap`: growth of the most exposed quintile minus that of the other four (`top_minus_rest`);
- `coefficient`: a regression of log(end / base employment) on exposure with controls
  (job zone, log base-year mean wage, BLS 2024-34 projected change), weighted by base-year
  employment, with HC1 standard errors (`regression`).

It describes a short window, largely before wide adoption, of repeated cross-sections whose
changes have many causes: an association, not an effect of AI (see the README).
"""
