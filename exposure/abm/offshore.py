"""Offshorability O_i of each task (MODEL_SPEC §4.2 b), an [A] proxy: no O_i is published.

After Blinder (2009) and Blinder & Krueger (2013): work can be done from abroad unless it
needs physical presence or face-to-face contact. From `task_feature`,

    O_i = da_not_physical_dwa_i × v_not_face_to_face_dwa_i × (1 − manual_intensity_o)

the share of the task's Detailed Work Activities that are neither physical nor face to face,
times how little the occupation works with its hands (m_o, §2.1). A task without DWAs
(about 1% of task time) takes its occupation's (1 − m_o)(1 − face_to_face_o). §4's rule then
offshores only tasks with O_i > 0.5: 44% of the OEWS May 2024 workforce's task time on the
staged mirror, above Blinder's 22-29% of jobs, because the DWA links miss on-site
requirements of whole occupations (a nurse's documentation tasks pass). An anchor, not a
target: the proxy is not tuned to it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

KEYS = ["onet_soc_code", "task_id"]
COLUMNS = ("da_not_physical_dwa", "v_not_face_to_face_dwa", "manual_intensity",
           "face_to_face")


def offshorability(task_feature: pl.DataFrame, onet_soc_code: np.ndarray,
                   task_id: np.ndarray) -> np.ndarray:
    """O_i in [0, 1] for the given tasks (aligned with them; 0 for a task without features,
    which the forecast treats as not automatable either)."""
    keys = pl.DataFrame({"onet_soc_code": onet_soc_code, "task_id": task_id}).with_columns(
        pl.col("task_id").cast(task_feature.schema["task_id"]))
    f = keys.join(task_feature.select(*KEYS, *COLUMNS), on=KEYS, how="left",
                  maintain_order="left")
    manual = f["manual_intensity"].fill_null(1.0).to_numpy()  # no features: on-site
    occupation = (1.0 - manual) * (1.0 - f["face_to_face"].fill_null(1.0).to_numpy())
    task = (f["da_not_physical_dwa"] * f["v_not_face_to_face_dwa"]).to_numpy()
    with np.errstate(invalid="ignore"):
        out = np.where(np.isnan(task), occupation, task * (1.0 - manual))
    return np.clip(np.nan_to_num(out, nan=0.0), 0.0, 1.0)
