"""What every source reader shares: locating files, reading sheets, validating frames.

A reader is a plain function `read_xxx(ctx: IngestContext) -> dict[str, pl.DataFrame]`
returning warehouse tables by name. It asks `ctx` for its files (which records their
checksum and release for provenance), reads them with `read_sheet` / `read_delimited`
(all columns as text plus `_row`, the row number a person sees in the file), converts
columns with `to_number`, and checks the result with `validate` against a pandera model.
Every problem becomes an `InputError` naming file, row and column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from exposure.errors import InputError
from exposure.sources.minimums import check_rows, require_data_rows

if TYPE_CHECKING:  # the readers import pandera; keying a stage needs this module without it
    import pandera.polars as pa

ROW = "_row"
SUPPRESSION_MARKERS = ("*", "**", "#", "-", "~", "\u2014")  # \u2014: BLS EP "not applicable"

REDOWNLOAD_HINT = "download the official file again (or run `exposure fetch`) and rerun"


@dataclass(frozen=True)
class FileRecord:
    """One raw file read by one run: the `source_file` table's row."""

    table_name: str
    path: str
    sha256: str
    release: str
    rows: int | None  # None for files that check others and contribute no rows (a manifest)


@dataclass
class IngestContext:
    """Where raw files live, and the record of which ones a run read."""

    raw_dir: Path
    files: list[FileRecord] = field(default_factory=list)
    failure_cases: list[pl.DataFrame] = field(default_factory=list)
    _digests: dict[Path, tuple[int, int, str]] = field(default_factory=dict)

    def find(self, *relpaths: str) -> Path | None:
        """The first of `relpaths` present under the raw directory, or None."""
        for rel in relpaths:
            path = self.raw_dir / rel
            if path.is_file():
                return path
        return None

    def locate(self, *relpaths: str) -> Path:
        """Like `find`, but a missing file is an `InputError`."""
        path = self.find(*relpaths)
        if path is None:
            raise InputError(
                relpaths[0],
                f"the file is missing from the raw directory {self.raw_dir}",
                "set EXPOSURE_RAW_DIR (or --raw-dir) to the folder that holds it, "
                "or run `exposure fetch`",
            )
        return path

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.raw_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def sha256(self, path: Path) -> str:
        """sha256 of a raw file, read once while its size and mtime stay the same (the
        stage cache keys and the provenance records share it)."""
        stat = path.stat()
        memo = self._digests.get(path)
        if memo is None or memo[:2] != (stat.st_size, stat.st_mtime_ns):
            memo = (stat.st_size, stat.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
            self._digests[path] = memo
        return memo[2]

    def record(self, table_name: str, path: Path, release: str, rows: int | None) -> None:
        """Note that `table_name` was built from `path`; a file that gives it fewer rows
        than its source declares (`exposure.sources.minimums`) is an `InputError`."""
        check_rows(table_name, self.relative(path), rows)
        self.files.append(
            FileRecord(table_name, self.relative(path), self.sha256(path), release, rows)
        )


def _with_row_numbers(df: pl.DataFrame, first_data_row: int) -> pl.DataFrame:
    return df.with_row_index(ROW, offset=first_data_row).with_columns(pl.col(ROW).cast(pl.Int64))


def require_columns(df: pl.DataFrame, file: str, required: Iterable[str], header_row: int) -> None:
    """A missing column is an error naming the file, the header row and the column."""
    for column in required:
        if column not in df.columns:
            raise InputError(
                file,
                "the column is missing from the header",
                f"{REDOWNLOAD_HINT}; the reader expects the official column names",
                row=header_row,
                column=column,
            )


def read_sheet(
    path: Path,
    file: str,
    required: Sequence[str],
    sheet: str | int | None = None,
    header_row: int = 1,
    only_required: bool = False,
) -> pl.DataFrame:
    """Read one worksheet as text columns plus `_row` (the spreadsheet row number).

    `header_row` is the 1-based row of the column names. `only_required` parses just the
    `required` columns (faster on wide sheets). A truncated or corrupt workbook is an
    `InputError`, never a traceback from the Excel reader.
    """
    # Blank rows are dropped only after numbering, so `_row` stays the row a person sees.
    options: dict[str, object] = {"header_row": header_row - 1}
    by = {"sheet_id": sheet} if isinstance(sheet, int) else {"sheet_name": sheet}
    if only_required:
        try:
            fast = pl.read_excel(path, **by, read_options=options, infer_schema_length=0,
                                 drop_empty_rows=False, columns=list(required))
            return _numbered(fast, file, required, header_row)
        except Exception:  # noqa: BLE001 - read again in full to say exactly what is wrong
            pass
    df = _read_excel(path, file, sheet, by, options)
    return _numbered(df, file, required, header_row)


def _read_excel(path: Path, file: str, sheet: str | int | None, by: dict[str, object],
                options: dict[str, object]) -> pl.DataFrame:
    """Every cell of the sheet as text; a corrupt workbook or missing sheet is an InputError."""
    try:
        return pl.read_excel(path, **by, read_options=options, infer_schema_length=0,
                             drop_empty_rows=False)
    except Exception as exc:
        _raise_if_sheet_missing(path, file, sheet)
        raise InputError(
            file,
            f"could not be read as an Excel workbook ({type(exc).__name__}); "
            "it may be truncated or corrupt",
            REDOWNLOAD_HINT,
        ) from exc


def read_grid(path: Path, file: str, sheet: str | int | None = None) -> pl.DataFrame:
    """Every cell of one worksheet as text, in columns `column_1`, `column_2`, ... plus `_row`
    (the spreadsheet row number), blank rows kept.

    For sheets whose header spans several rows (BEA's code and name rows, BLS's year and
    measure rows): the reader finds its header itself. A corrupt workbook or a missing
    sheet is an `InputError`, as with `read_sheet`.
    """
    by = {"sheet_id": sheet} if isinstance(sheet, int) else {"sheet_name": sheet}
    if sheet is None:
        by = {"sheet_id": 1}
    grid = _read_excel(path, file, sheet, by, {"header_row": None})
    return _with_row_numbers(grid, 1)


def _numbered(df: pl.DataFrame, file: str, required: Sequence[str],
              header_row: int) -> pl.DataFrame:
    df = df.rename({c: c.strip() for c in df.columns})
    require_columns(df, file, required, header_row)
    ordered = df.select(list(dict.fromkeys([*required, *df.columns])))
    numbered = _with_row_numbers(ordered, header_row + 1)
    rows = numbered.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    require_data_rows(file, rows.height)
    return rows


def _raise_if_sheet_missing(path: Path, file: str, sheet: str | int | None) -> None:
    """A workbook that opens but lacks the sheet deserves its own message."""
    if not isinstance(sheet, str):
        return
    import fastexcel

    try:
        names = fastexcel.read_excel(path).sheet_names
    except Exception:  # noqa: BLE001 - the workbook itself is unreadable: the caller says so
        return
    if sheet not in names:
        raise InputError(file, f"the workbook has no sheet '{sheet}' (it has: {', '.join(names)})",
                         REDOWNLOAD_HINT)


def read_delimited(
    path: Path,
    file: str,
    required: Sequence[str],
    separator: str = "\t",
    skip_lines: int = 0,
    encoding: str = "utf8-lossy",
    null_values: Sequence[str] = (),
) -> pl.DataFrame:
    """Read a delimited text file as text columns plus `_row` (the line number).

    `null_values` are cell texts that mean "missing" (O*NET's text edition writes `n/a`).
    """
    try:
        df = pl.read_csv(
            path,
            separator=separator,
            infer_schema_length=0,
            skip_rows=skip_lines,
            quote_char=None if separator == "\t" else '"',
            encoding=encoding,
            truncate_ragged_lines=False,
            null_values=list(null_values) or None,
        )
    except Exception as exc:
        raise InputError(
            file,
            f"could not be parsed as {'tab' if separator == chr(9) else repr(separator)}-delimited "
            f"text ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})",
            REDOWNLOAD_HINT,
        ) from exc
    df = df.rename({c: c.strip().lstrip("\ufeff") for c in df.columns})
    require_columns(df, file, required, skip_lines + 1)
    require_data_rows(file, df.height)
    return _with_row_numbers(df, skip_lines + 2)


def to_number(
    df: pl.DataFrame,
    column: str,
    file: str,
    dtype: type[pl.DataType] = pl.Float64,
    markers: Sequence[str] = SUPPRESSION_MARKERS,
    flag: str | None = None,
) -> pl.DataFrame:
    """Convert text `column` to numbers in place.

    Empty cells become null. Cells equal to a suppression marker become null and, if `flag`
    is given, the marker is kept in the text column `flag`. Thousands separators are
    removed. Anything else that is not a number is an `InputError` naming its row.
    """
    text = pl.col(column).str.strip_chars().str.replace_all(",", "")
    is_marker = text.is_in(list(markers))
    parsed = pl.when(is_marker | (text == "")).then(None).otherwise(text).cast(dtype, strict=False)
    out = df.with_columns(
        parsed.alias("__parsed"), is_marker.alias("__marker"), text.alias("__text")
    )
    bad = out.filter(pl.col("__parsed").is_null() & pl.col("__text").is_not_null()
                     & (pl.col("__text") != "") & ~pl.col("__marker"))
    if bad.height:
        first = bad.row(0, named=True)
        raise InputError(
            file,
            f"'{first['__text']}' is not a number",
            f"correct the value or {REDOWNLOAD_HINT}",
            row=first.get(ROW),
            column=column,
        )
    extra = [pl.when(pl.col("__marker")).then(pl.col("__text")).alias(flag)] if flag else []
    return out.with_columns(pl.col("__parsed").alias(column), *extra).drop(
        "__parsed", "__marker", "__text"
    )


def validate(df: pl.DataFrame, model: type[pa.DataFrameModel], file: str,
             ctx: IngestContext | None = None,
             file_columns: dict[str, str] | None = None) -> pl.DataFrame:
    """Check `df` against `model`; on failure keep every failure case and raise for the first.

    The failure cases (with the file and the `_row` of each) are appended to
    `ctx.failure_cases`, which ingest writes to `reports/validation/<run>.parquet`.
    `file_columns` maps the file's column names to the frame's, so errors name the column
    a person sees in the file. Returns the frame without `_row`, in the model's column order.
    """
    import pandera.errors

    in_file = {new: old for old, new in (file_columns or {}).items()}
    try:
        model.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        rows = df.get_column(ROW) if ROW in df.columns else pl.Series(ROW, [], pl.Int64)
        cases = cases.with_columns(
            pl.col("index").map_elements(
                lambda i: int(rows[i]) if i is not None and i < len(rows) else None,
                return_dtype=pl.Int64,
            ).alias(ROW),
            pl.lit(file).alias("file"),
            pl.col("failure_case").cast(pl.String),
        )
        if ctx is not None:
            ctx.failure_cases.append(cases)
        first = cases.sort(ROW, nulls_last=True).row(0, named=True)
        column: str | None = first["column"]
        unique = getattr(model.Config, "unique", None)
        keys = None
        if first["check"] == "multiple_fields_uniqueness" and unique:
            keys = unique if isinstance(unique, list) else [str(unique)]
        elif first["check"] == "field_uniqueness":
            keys = [first["column"]]
        if keys:
            # Name the later copy: the first occurrence is usually the row to keep.
            key = pl.struct(keys)
            later = df.filter(key.is_duplicated() & ~key.is_first_distinct()).sort(ROW)
            values = later.row(0, named=True)
            first[ROW], column = values.get(ROW), ", ".join(keys)
            problem = "the key is duplicated (" + ", ".join(f"{k}={values[k]}" for k in keys) + ")"
        elif first["check"] in ("column_in_dataframe", "column_in_schema"):
            problem = "the column is missing"
        elif first["schema_context"] == "DataFrameSchema":
            column = None  # a table-wide check: the check's name says what failed
            problem = f"the row fails the check {first['check']}"
        else:
            problem = f"value '{first['failure_case']}' fails the check {first['check']}"
        raise InputError(
            file,
            f"{problem} ({cases.height} failing cell(s) in all)",
            f"correct the file or {REDOWNLOAD_HINT}; every failure case is listed in "
            "reports/validation/",
            row=first[ROW],
            column=None if column is None else ", ".join(in_file.get(c, c)
                                                         for c in column.split(", ")),
        ) from None
    columns = [c for c in model.to_schema().columns if c in df.columns]
    return df.select(columns)
