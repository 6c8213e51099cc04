"""Roll-ups: task scores -> O*NET occupations -> BLS occupations, sectors, SOC groups, states.

Pure functions over polars frames (no I/O); each table is validated by its pandera model in
`exposure.rollup.schemas`. In order:

- `occupation_scores(task_exposure, tasks, task_rating=None)`: task-weighted exposure and
  share of exposed task weight per O*NET occupation, weighing tasks by `task_weights`
  (`exposure.task_weights`, re-exported here); `reproduce_published` rebuilds the
  published GPTs-are-GPTs occupation table from its task labels;
- `occupation_exposure(scores, occupation, crosswalk, employment, year, scorer)`: the
  warehouse table, with the crosswalk-split OEWS employment of one year;
- `headline_shares(occupation_exposure)`: the national share of workers at >= 10% / 50%;
- `sector_exposure`, `major_group_exposure`, `area_exposure`: employment-weighted groups;
- `bls_occupation_exposure`, `sector_occupation_exposure`: BLS codes with their published
  employment, nationally and per sector (`exposure.rollup.bls`);
- `area_occupation_exposure`, `wage_band_exposure`, `education_exposure`: state depth from
  the May 2025 state estimates (`exposure.rollup.states`, bands in `exposure.rollup.bands`);
- `area_forecast`: national occupation displacement rates applied to each state's mix.
"""

from exposure.rollup.area import area_exposure
from exposure.rollup.area_forecast import area_forecast
from exposure.rollup.bls import bls_occupation_exposure, sector_occupation_exposure
from exposure.rollup.employment import occupation_exposure, soc_scores
from exposure.rollup.national import format_headline, headline_shares
from exposure.rollup.occupation import label_scores, occupation_scores, reproduce_published
from exposure.rollup.sector import major_group_exposure, sector_exposure
from exposure.rollup.states import (
    area_occupation_exposure,
    education_exposure,
    wage_band_exposure,
)
from exposure.task_weights import task_weights

__all__ = [
    "area_exposure",
    "area_forecast",
    "area_occupation_exposure",
    "bls_occupation_exposure",
    "education_exposure",
    "format_headline",
    "headline_shares",
    "label_scores",
    "major_group_exposure",
    "occupation_exposure",
    "occupation_scores",
    "reproduce_published",
    "sector_exposure",
    "sector_occupation_exposure",
    "soc_scores",
    "task_weights",
    "wage_band_exposure",
]
