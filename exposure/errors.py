"""One family of errors whose text is a plain sentence plus what to do about it.

The CLI prints `str(error)` and exits non-zero; `--verbose` adds the traceback.
"""

from __future__ import annotations


class ExposureError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message.rstrip(".")
        self.hint = hint.rstrip(".")
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}." if self.hint else f"{self.message}."


class InputError(ExposureError):
    """A raw input file is missing, unreadable or holds a bad value.

    The message names the file (relative to the raw directory), the row as a person
    would count it in that file (header included), and the column.
    """

    exit_code = 2

    def __init__(
        self,
        file: str,
        problem: str,
        hint: str,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.problem = file, row, column, problem
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}", hint)


class ConfigError(ExposureError):
    """A setting, option, scenario or scorer name is wrong."""

    exit_code = 2


class WarehouseError(ExposureError):
    """The warehouse is missing, locked or lacks a table a command needs."""

    exit_code = 3


class ScorerError(ExposureError):
    """A scorer's own code raised (in `with_tables`, `fit` or `predict`): the researcher's
    scorer, not the data, has to be fixed."""

    exit_code = 2


class StageError(ExposureError):
    """A stage failed on an error that is neither bad input nor a scorer's: names the stage."""

    exit_code = 2


class StorageError(WarehouseError):
    """Writing the warehouse, the stage cache or the reports failed: a full or read-only
    disk, or a path that runs through a regular file."""

    exit_code = 3
