"""A cohort to predict, read in parts: ``pmtk predict`` on a table of any size.

Each part (``pmtk.core.tables.CHUNK_ROWS`` rows) becomes an examples table exactly as a
whole file would (``reading.prediction_examples``, with the schema learned in training),
so memory is bounded by the part, not the table. Rows keep their numbers in the file
(in the whole dataset for a Parquet folder), and an id repeated in a later part is refused
as it is within one (the 8-byte hashes of the ids seen are the only thing kept per row).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.errors import DataError
from pmtk.core.tables import where
from pmtk.plugins.risk.reading import prediction_examples

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.core.task import RunContext


def prediction_parts(path: Path, context: RunContext) -> Iterator[pd.DataFrame] | None:
    """The examples of ``path`` part by part, or None when its reader reads whole files only.

    Raises:
        DataError: As ``prediction_examples``, naming the row in the file; or an id column
            value repeated across parts.
    """
    if path.is_dir():
        return _examples(_folder_parts(path, context), context, str(path))
    reader = context.reader_for(path.name)
    if reader is None or reader.chunks is None:
        return None
    return _examples(reader.chunks(path), context, str(path))


def _folder_parts(folder: Path, context: RunContext) -> Iterator[pd.DataFrame]:
    """Every Parquet file of a folder, its rows numbered across the whole dataset."""
    from pmtk.core.streaming import open_table

    before = 0  # rows in the files already read
    for file in map(Path, open_table(folder).files):  # open_table checks the files agree
        reader = context.reader_for(file.name)
        parts = reader.chunks(file) if reader.chunks else iter([reader.read(file)])
        rows = 0
        for part in parts:
            unit, first = part.attrs.get("row_label", ("row", 1))
            part.attrs["row_label"] = (unit, first + before)
            yield part
            rows = first + len(part) - 1
        before += rows


def _examples(parts, context: RunContext, source: str) -> Iterator[pd.DataFrame]:
    import pandas as pd

    id_column = context.derived.get("id_column")
    seen: list[np.ndarray] = []
    for raw in parts:
        if len(raw) == 0:
            continue
        examples = prediction_examples(raw, context.derived, source)
        if id_column is not None and id_column in raw.columns:
            hashes = pd.util.hash_array(examples["id"].to_numpy(object))
            repeated = np.flatnonzero(np.isin(hashes, np.concatenate(seen))) if seen else []
            if len(repeated):
                raise DataError(
                    f"{source}: id column '{id_column}' repeats an earlier id at "
                    f"{where(raw, int(repeated[0]))}; ids must be unique per row."
                )
            seen.append(hashes)
        yield examples
