"""The monthly refresh as a Prefect flow: each stage runs as a Prefect task.

The flow only wires: `exposure.refresh.run_refresh` holds the logic (cache, run record,
publish) and calls back here to run each stage. Stages that read files retry once on an
unexpected error (a flaky network drive); an `ExposureError` (bad input, bad settings) is
final and is not retried. Prefect's own result caching is off: the stage cache of
`exposure.pipeline` decides what to recompute.
"""

from __future__ import annotations

from collections.abc import Callable

from exposure.prefect_setup import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402

from exposure.errors import ExposureError  # noqa: E402
from exposure.pipeline import Stage, StageResult  # noqa: E402
from exposure.refresh import run_refresh  # noqa: E402
from exposure.runs import RunRecord  # noqa: E402
from exposure.settings import get_settings  # noqa: E402


def _retry_unless_exposure_error(task, task_run, state) -> bool:
    try:
        state.result()
    except ExposureError:
        return False
    except Exception:  # noqa: BLE001 - anything else may be transient
        return True
    return False


@task(cache_policy=NONE, retry_condition_fn=_retry_unless_exposure_error,
      retry_delay_seconds=2)
def stage_task(call: Callable[[], StageResult]) -> StageResult:
    return call()


def _as_task(call: Callable[[], StageResult], stage: Stage) -> StageResult:
    return stage_task.with_options(name=stage.name, retries=stage.retries)(call)


@flow(name="exposure-refresh")
def refresh(raw_dir: str | None = None, warehouse: str | None = None,
            reports_dir: str | None = None, cache_dir: str | None = None,
            scorers: str | None = None, use_cache: bool = True, run_id: str | None = None,
            wait: bool = True) -> RunRecord:
    """Every stage of the refresh, then the atomic publish of the warehouse.

    Unset paths come from the settings (environment), so a scheduled deployment needs no
    parameters. `wait=False` fails at once when another run holds the warehouse's lock.
    """
    settings = get_settings(raw_dir=raw_dir, warehouse=warehouse, reports_dir=reports_dir,
                            cache_dir=cache_dir, scorers=scorers)
    return run_refresh(settings, use_cache=use_cache, execute=_as_task, run_id=run_id,
                       wait=wait)
