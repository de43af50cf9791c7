"""The bundled sample table, and the column options it fills in when a run leaves them unset."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pmtk.core.data.sample_data import sample_data_path

#: The bundled sample table (``pmtk.core.data.sample_data.sample_data_path`` finds it).
SAMPLE_DATA = "autoencoder/expression.csv"
#: Column options that default to these values for the bundled sample only.
SAMPLE_COLUMNS = {"id_column": "sample_id", "color_column": "cell_type"}


def column_options(options: Mapping[str, Any], path: Path | None = None) -> dict[str, Any]:
    """``id_column`` and ``color_column`` as the run uses them, without changing ``options``.

    The bundled sample (``path``, else ``--data``, is the sample or no ``--data`` is given)
    fills each one left unset with :data:`SAMPLE_COLUMNS`.
    """
    columns = {name: options.get(name) for name in SAMPLE_COLUMNS}
    data = path if path is not None else options.get("data")
    sample = sample_data_path(SAMPLE_DATA).resolve()
    if data is None or Path(data).expanduser().resolve() == sample:
        columns = {name: value or SAMPLE_COLUMNS[name] for name, value in columns.items()}
    return columns
