"""When a task reads its data in parts rather than whole: a number of rows.

Data up to :func:`part_threshold` rows is read whole (one part, split stratified by class);
past it a task reads it in parts, so memory depends on the part size, not on the rows.
``PMTK_STREAMING_ROWS=0`` reads every data set in parts, as the parity tests do.
"""

from __future__ import annotations

import os

from pmtk.core.errors import OptionError

#: Environment variable giving the row threshold (``0``: every data set in parts).
THRESHOLD_VARIABLE = "PMTK_STREAMING_ROWS"
#: Data with more rows than this is read in parts; fewer are read whole.
DEFAULT_THRESHOLD = 200_000


def part_threshold() -> int:
    """The row count above which tasks read their data in parts (``PMTK_STREAMING_ROWS``).

    Raises:
        OptionError: The variable is set to something other than a whole number >= 0.
    """
    text = os.environ.get(THRESHOLD_VARIABLE, "").strip()
    if not text:
        return DEFAULT_THRESHOLD
    if not text.isdigit():
        raise OptionError(
            f"{THRESHOLD_VARIABLE} must be a whole number of rows (0 or more); got '{text}'. "
            f"Unset it to use the default, {DEFAULT_THRESHOLD:,}."
        )
    return int(text)


def in_parts(rows: int) -> bool:
    """True when ``rows`` rows are past :func:`part_threshold` (so they are read in parts)."""
    return rows > part_threshold()
