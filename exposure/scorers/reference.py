"""Reading a published occupation-level index for `exposure compare`.

The file is a CSV with one row per occupation: a code column (O*NET-SOC 2019 codes such as
`15-1252.00`, or 7-character SOC codes such as `15-1252`, of SOC 2018 or SOC 2010) and a
numeric column. Column names match case-insensitively (`SOC_Code`, `Exposure`). A code that
is not code-shaped is kept with its row number so that the comparison can list it with the
codes that name no occupation (or, with `--strict`, refuse the file at that row).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exposure.codes import ONET_SOC_PATTERN, SOC_PATTERN
from exposure.errors import InputError

ROW = "row"  # the row as a person counts it in the file, header = row 1


@dataclass
class Reference:
    """`frame`: soc_code, reference, row; `level`: 'onet' (O*NET-SOC codes) or 'soc'
    (7-character SOC codes, whose version is settled by `exposure.scorers.soc_versions`)."""

    file: str
    frame: pl.DataFrame
    level: str
    code_column: str
    value_column: str


def _match(columns: list[str], wanted: str, file: str, role: str) -> str:
    """The column named `wanted`, ignoring case (an exact match wins)."""
    if wanted in columns:
        return wanted
    folded = [c for c in columns if c.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    problem = (f"columns {', '.join(folded)} all match '{wanted}' ignoring case" if folded
               else f"no column '{wanted}' (its columns: {', '.join(columns)})")
    raise InputError(file, problem, f"name the {role} column with one of those",
                     column=wanted)


def _guess(columns: list[str], guesses: list[str], file: str, role: str) -> str:
    if guesses:
        return guesses[0]
    raise InputError(file, f"no {role} column found among {', '.join(columns)}",
                     f"name it with --{'code-' if role == 'code' else ''}column")


def read_reference(path: Path, column: str | None = None,
                   code_column: str | None = None) -> Reference:
    """The reference file's codes and values. Without `code_column`, the first column named
    like `soc`, else `code`, is taken; without `column`, one named `exposure`, else the only
    numeric column besides the code (names compared ignoring case)."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError(file, "the reference file does not exist",
                         "give the path of a CSV keyed by SOC code")
    try:
        frame = pl.read_csv(path, infer_schema_length=10000)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise InputError(file, f"cannot be read as CSV ({exc})",
                         "give a comma-separated file with a header row") from exc
    columns = frame.columns
    folded = {c: c.casefold() for c in columns}
    code = (_match(columns, code_column, file, "code") if code_column is not None else
            _guess(columns, [c for c in columns if "soc" in folded[c]]
                   + [c for c in columns if "code" in folded[c]], file, "code"))
    numeric = [c for c, t in frame.schema.items() if t.is_numeric() and c != code]
    value = (_match(columns, column, file, "value") if column is not None else
             _guess(columns, [c for c in columns if folded[c] == "exposure"]
                    or (numeric if len(numeric) == 1 else []), file, "value"))
    if not frame.schema[value].is_numeric():
        raise InputError(file, f"column '{value}' is not numeric", "pick a numeric column",
                         column=value)
    out = frame.with_row_index(ROW, offset=2).select(
        pl.col(code).cast(pl.String).str.strip_chars().alias("soc_code"),
        pl.col(value).cast(pl.Float64).alias("reference"),
        pl.col(ROW).cast(pl.Int64))
    codes = out.get_column("soc_code")
    onet = int(codes.str.contains(ONET_SOC_PATTERN).sum())
    soc = int(codes.str.contains(SOC_PATTERN).sum())
    repeated = out.filter(~pl.col("soc_code").is_first_distinct()).sort(ROW)
    if repeated.height:
        raise InputError(file, f"code {repeated.item(0, 'soc_code')} appears more than once",
                         "keep one row per occupation", row=repeated.item(0, ROW),
                         column=code)
    return Reference(file, out, "onet" if onet > soc else "soc", code, value)
