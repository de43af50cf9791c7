"""The task contract: what a task plugin implements, and the objects it exchanges with the loop.

This module, with :mod:`pmtk.core.contract.context`, :mod:`pmtk.core.contract.reader`,
:mod:`pmtk.core.contract.targets` and :mod:`pmtk.core.contract.registering`, is the bottom of
pmtk's plugin API: it imports nothing above it (see ``docs/architecture.md``). Nothing here imports
TensorFlow, so tasks can be listed without loading it.
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

# The types a task touches, importable from here as before.
from pmtk.core.contract.context import InputShape, ModelSpec, RunContext, SplitData
from pmtk.core.contract.derivation import Derivation, WholeDerivation
from pmtk.core.contract.reader import Reader
from pmtk.core.contract.targets import TARGET_KINDS, Targets
from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import keras
    import numpy as np
    import pandas as pd
    import tensorflow as tf

__all__ = [
    "TARGET_KINDS",
    "InputShape",
    "ModelSpec",
    "Reader",
    "RunContext",
    "SplitData",
    "Derivation",
    "Targets",
    "Task",
    "TaskOption",
]


#: Methods tasks implemented before pmtk 0.2 read data of every size one way, and what does
#: their job now (a task that still defines one gets a ``DeprecationWarning``; its data is
#: read through ``read``, as one part).
RETIRED_METHODS = {
    "stream": "yield the examples in parts from read_parts and accumulate what the task "
    "learns with derivation()",
    "prediction_parts": "read_parts(path, context, require_labels=False) is used to predict "
    "in parts (it is still called for one release)",
}


@dataclass(frozen=True)
class TaskOption:
    """A command-line option of ``pmtk run TASK`` (also readable from ``--config``).

    Args:
        name: Python name; the flag is ``--`` plus the name with dashes.
        type: ``int``, ``float``, ``str``, ``bool`` or ``pathlib.Path``.
        default: Value when neither the command line nor the config file gives one.
        help: One line shown by ``--help``.
        choices: Allowed values for a ``str`` option.
        multiple: The flag may be given several times; the value is a list of ``type``
            (in a ``--config`` file: a TOML array). ``default`` is then None or a tuple.
    """

    name: str
    type: type
    default: Any
    help: str
    choices: Sequence[str] | None = None
    multiple: bool = False


class Task(abc.ABC):
    """Base class of a trainable task.

    A task reads a data path into a table of examples, turns a table into an
    unbatched ``tf.data.Dataset``, and names its default model. Splitting, class
    encoding, training, evaluation and the run directory belong to the shared loop.

    The examples table has one row per example and these columns: ``id`` (unique
    string), ``label`` (raw target; absent when predicting unlabelled data), and
    optionally ``group`` and ``split``; any other columns belong to the task.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    options: ClassVar[tuple[TaskOption, ...]] = ()
    default_model: ClassVar[str]
    #: ``None`` infers binary/multiclass/regression from the labels.
    target_kind: ClassVar[str | None] = None
    #: Sample data used when ``--data`` is omitted: a name under pmtk's ``sample_data/``, or an
    #: absolute path (third-party packages point into their own package).
    sample_data: ClassVar[str | None] = None
    #: What the run's baseline model sees, written to ``metrics.json``.
    baseline_inputs: ClassVar[str] = "flattened model inputs"
    #: The encoder (``pmtk_register_encoders``, with the task's name as the modality) that
    #: embeds this task's examples when another model combines them (fusion); None: none.
    default_encoder: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for retired, instead in RETIRED_METHODS.items():
            if retired in cls.__dict__:
                warnings.warn(
                    f"{cls.__qualname__}.{retired} is no longer called (pmtk 0.2 reads every "
                    f"task's data through one path); {instead}.",
                    DeprecationWarning,
                    stacklevel=2,
                )

    @abc.abstractmethod
    def read(self, path: Path, context: RunContext, *, require_labels: bool = True) -> pd.DataFrame:
        """Reads ``path`` into the examples table.

        Args:
            path: File or folder given with ``--data``.
            context: The run context.
            require_labels: False when predicting: labels may be absent.

        Returns:
            The examples table described in the class docstring.

        Raises:
            DataError: The path is missing, empty, unreadable or malformed.
        """
        raise NotImplementedError

    def read_parts(
        self, path: Path, context: RunContext, *, require_labels: bool = True
    ) -> Iterator[pd.DataFrame]:
        """Reads ``path`` into the examples table in parts, in a fixed order.

        The loop calls it for every pass over the data (statistics, training epochs,
        evaluation), so each call reads from the start and yields the same parts. Data that
        fits in memory is one part, which the loop then holds and splits stratified by class;
        data read in several parts is split by a stable hash of each row's group, else id
        (a ``split`` column wins either way). Parts carry ``attrs["row_label"]`` (such as
        ``("line", 2)`` for a part starting on file line 2) so messages name the right row.

        The default yields :meth:`read` as one part: a task that reads data bigger than
        memory overrides it (with :meth:`derivation`).

        Args:
            path: File or folder given with ``--data``.
            context: The run context.
            require_labels: False when predicting: labels may be absent.

        Yields:
            Examples tables as :meth:`read` returns them, each for some of the rows.

        Raises:
            DataError: As :meth:`read`, naming the row where the problem is.
        """
        retired = getattr(self, "prediction_parts", None)  # a pre-0.2 task's (deprecated)
        parts = retired(path, context) if retired and not require_labels else None
        if parts is not None:
            yield from parts
            return
        yield self.read(path, context, require_labels=require_labels)

    def splitter(self, context: RunContext) -> str | None:
        """The splitter (``pmtk_register_splitters``) this run's data calls for when the user
        names none with ``--splitter``; None (the default) leaves it to the core: the data's
        ``split`` column, else ``stratified``, or ``hash`` for data read in parts."""
        return None

    def sample_rows(self, context: RunContext) -> int | None:
        """At most how many rows of each split data read in parts keeps as its sample (what
        the baseline fits on, the training metrics score and ``finish`` sees).

        None (the default) keeps ``pmtk.core.evaluation.baseline.BASELINE_ROWS``; a task whose
        rows are large in its baseline features bounds them (genomics: 2,000,000 bases).
        ``context.derived`` is set.
        """
        return None

    def derivation(self, context: RunContext) -> Derivation:
        """What accumulates, part by part, the settings learned from the training rows.

        The default keeps the training parts and calls :meth:`derive` on them joined
        (:class:`pmtk.core.contract.derivation.WholeDerivation`). A task that reads data
        bigger than memory returns a derivation whose memory does not grow with the rows.
        """
        return WholeDerivation(self, context)

    def modality_examples(
        self,
        cells: pd.Series,
        base: Path,
        context: RunContext,
        where: Callable[[Any], str],
    ) -> pd.DataFrame:
        """This task's examples for one column of a patient table (``pmtk run fusion``).

        Fusion reads a column given as ``--modality COLUMN=TASK`` through this method, then
        :meth:`derive` and :meth:`dataset` as usual. The default takes each cell as the path
        of one file that :meth:`read` (with ``require_labels=False``) turns into exactly one
        example, which suits a task whose ``read`` accepts a single file when predicting.
        A task overrides it when its cells hold something else (genomics: the sequence) or
        when it can list files faster than by reading each (imaging).

        Args:
            cells: The column's non-empty cells as text, indexed by patient row.
            base: The patient table's folder: relative paths are relative to it.
            context: This task's run context inside the fused run (its own options).
            where: ``where(index)`` names a cell for messages, such as
                ``"patients.csv, line 4, column 'ecg'"``.

        Returns:
            The examples table :meth:`dataset` takes, indexed like ``cells``. Rows may be
            left out only when an option of the task says so (imaging's
            ``--skip-bad-images``); fusion treats those cells as missing.

        Raises:
            DataError: A cell this task cannot read, named with ``where``.
        """
        import pandas as pd

        tables = []
        for index, cell in cells.items():
            path = Path(str(cell)).expanduser()
            path = path if path.is_absolute() else base / path
            if not path.exists():
                raise DataError(
                    f"{where(index)}: {path} does not exist; fix the path (relative paths "
                    "start at the table's folder) or leave the cell empty if it is missing."
                )
            try:
                table = self.read(path, context, require_labels=False)
            except DataError as error:
                raise DataError(f"{where(index)}: {error}") from None
            if len(table) != 1:
                raise DataError(
                    f"{where(index)}: {path} holds {len(table)} examples for the task "
                    f"'{self.name}'; give each cell one file with one example."
                )
            tables.append(table)
        examples = pd.concat(tables, ignore_index=True)
        examples.index = cells.index
        return examples

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Learns settings from the training examples that prediction must reuse.

        Args:
            train: The training split of the examples table.
            context: The run context.

        Returns:
            JSON-serialisable settings: the loop makes a new context whose ``derived`` they
            are, and stores them in ``config.json`` for prediction. A task never writes into
            ``context.derived`` or ``context.options`` (read-only mappings; a write still
            works for one release, with a ``DeprecationWarning``).
        """
        return {}

    @abc.abstractmethod
    def dataset(
        self, examples: pd.DataFrame, targets: np.ndarray | None, context: RunContext
    ) -> tf.data.Dataset:
        """Builds an unbatched dataset of ``(x, y)``, or of ``x`` when ``targets`` is None.

        Args:
            examples: Rows of the examples table, in order.
            targets: Encoded targets aligned with ``examples`` (class indices,
                values), or None when predicting. Reconstruction tasks always get
                None: the loop pairs each ``x`` with itself.
            context: The run context (``context.derived`` is set).

        Returns:
            A ``tf.data.Dataset``; the loop batches, shuffles and prefetches it.
        """
        raise NotImplementedError

    def baseline_features(
        self, examples: pd.DataFrame, dataset: tf.data.Dataset, context: RunContext
    ) -> np.ndarray | pd.DataFrame | None:
        """Inputs of the simple model trained beside the network on the same splits.

        The loop fits a logistic (classification) or ridge (regression) regression on
        them, so every run shows whether the network beats a linear model. The default
        flattens each example of ``dataset``; a task overrides it when a linear model
        needs another view of the data (for example downsampled pixels).

        Args:
            examples: Rows of one split of the examples table.
            dataset: The split's unbatched dataset, as :meth:`dataset` built it.
            context: The run context.

        Returns:
            One row per example: a 2-D array, or a table whose text columns are
            categories. ``None`` trains no baseline.
        """
        from pmtk.core.evaluation.baseline import flatten_dataset

        return flatten_dataset(dataset)

    def load_model(self, path: Path) -> keras.Model:
        """Loads a saved ``model.keras`` of this task (``pmtk predict`` calls it).

        A task whose models use custom layers overrides it to import the module
        that registers them first.
        """
        import keras

        return keras.saving.load_model(path)

    def compile_options(self, kind: str) -> dict[str, Any]:
        """Loss and Keras metrics the loop compiles the model with.

        The default suits classification and regression; a task overrides it when
        its targets need another loss (for example a masked reconstruction loss).

        Returns:
            ``{"loss": ..., "metrics": [...]}`` as accepted by ``Model.compile``.
        """
        from pmtk.core.contract.targets import keras_metrics, loss_for

        return {"loss": loss_for(kind), "metrics": keras_metrics(kind)}

    def prediction_frame(
        self,
        examples: pd.DataFrame,
        scores: np.ndarray,
        targets: Any,
        labels: pd.Series | None,
    ) -> pd.DataFrame:
        """The predictions table for ``predictions.csv`` and ``pmtk predict``.

        The default gives ``id``, ``label`` (if known), ``predicted`` and scores; a
        task overrides it to write something else (for example embeddings).
        """
        from pmtk.core.contract.predictions_table import prediction_frame

        return prediction_frame(examples["id"], scores, targets, labels)

    def finish(self, model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
        """Writes task-specific outputs after evaluation (optional).

        Args:
            model: The trained model.
            context: The run context; ``context.run_dir`` is the directory being written.
            splits: Per split name, a ``SplitData`` with examples, targets and dataset.

        Returns:
            Extra metrics per split name, merged into ``metrics.json``; under the key
            ``"derived"`` (optional), settings learned while finishing (for example which
            weights were kept), merged into ``config.json``'s ``derived`` for prediction.
        """
        return {}
