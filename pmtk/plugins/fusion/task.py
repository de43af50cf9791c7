"""The fusion task: one model over each patient's images, sequences, other modalities and
clinical table, trained and evaluated by the shared loop."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pmtk.core.contract.task import RunContext, Task, TaskOption
from pmtk.plugins.fusion.modalities import (
    CELL_PREFIX,
    PRESENT,
    TABULAR,
    Modality,
    parse_modalities,
    tabular_modality,
)

if TYPE_CHECKING:
    import keras
    import pandas as pd
    import tensorflow as tf

#: Examples-table column holding a modality's example (one row of its task's examples table).
INPUT_PREFIX = "input:"


class FusionTask(Task):
    """Predicts a patient's outcome from several modalities at once (missing ones allowed)."""

    name = "fusion"
    description = (
        "One model over a patient table's images, sequences and clinical columns "
        "(--modality COLUMN=TASK; empty cells are missing modalities)."
    )
    default_model = "concat"
    sample_data = "fusion/patients.csv"
    baseline_inputs = (
        "every modality's baseline features side by side (downsampled pixels, one-hot bases, "
        "clinical columns), a missing modality imputed with indicator columns"
    )
    options = (
        TaskOption(
            "modality",
            str,
            None,
            "COLUMN=TASK: the column holds that task's input (imaging: an image path, "
            "genomics: a DNA sequence). Repeat for each modality.",
            multiple=True,
        ),
        TaskOption(
            "encoder",
            str,
            None,
            "COLUMN=ENCODER: the encoder of a modality ('tabular' for the clinical columns); "
            "default: the task's. Repeatable.",
            multiple=True,
        ),
        TaskOption(
            "modality_option",
            str,
            None,
            "COLUMN.OPTION=VALUE: an option of a modality's task, such as scan.image_size=64. "
            "Repeatable.",
            multiple=True,
        ),
        TaskOption(
            "target", str, None, "Outcome column (required with --data; the sample uses 'outcome')."
        ),
        TaskOption("id_column", str, None, "Column of patient ids (unique per row)."),
        TaskOption("exclude", str, None, "Comma-separated columns to leave out."),
        TaskOption(
            "categorical", str, None, "Comma-separated clinical columns to treat as categories."
        ),
        TaskOption(
            "modality_dropout",
            float,
            0.25,
            "Training: chance of hiding each present modality, so no modality is leaned on.",
        ),
        TaskOption("embedding_units", int, 64, "Width every modality's embedding is projected to."),
        TaskOption("hidden_units", int, 64, "Width of the layer after the modalities are joined."),
        TaskOption("dropout_rate", float, 0.2, "Dropout before the output layer."),
        TaskOption(
            "skip_bad_images",
            bool,
            False,
            "Treat missing or unreadable images as a missing modality, with a notice.",
        ),
        TaskOption(
            "nonfinite_as_missing",
            bool,
            False,
            "Treat inf, -inf and numbers too large for a float as missing clinical values.",
        ),
    )

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """Reads the patient table; each modality's cells through its task.

        Returns:
            The risk task's examples table (target, id, group, split, clinical features),
            plus per modality the cell (``modality:NAME``) and the modality task's example
            (``input:NAME``, None where missing), and ``row`` (position in the file).
        """
        from pmtk.plugins.fusion.table import check_patients, read_patients

        registry = context.registry
        if require_labels:
            modalities = parse_modalities(context.options, registry)
            tabular = tabular_modality(context.options, registry, [m.name for m in modalities])
            tabular_derived = None
        else:
            entries = [Modality.from_json(e) for e in context.derived["modalities"]]
            modalities = [m for m in entries if m.name != TABULAR]
            tabular = tabular_modality(context.options, registry, [m.name for m in modalities])
            tabular_derived = context.derived["tabular"]
        examples = read_patients(
            Path(path), modalities, tabular, registry, tabular_derived=tabular_derived,
            group_column=context.group_column if require_labels else None,
        )  # fmt: skip
        for modality in modalities:
            inputs = _modality_inputs(examples, modality, Path(path), registry)
            examples[INPUT_PREFIX + modality.name] = inputs
            # a cell the modality's task left out (--skip-bad-images) is a missing modality
            cell = examples[CELL_PREFIX + modality.name]
            examples[CELL_PREFIX + modality.name] = cell.where([i is not None for i in inputs])
        check_patients(examples, modalities, str(path), training=require_labels)
        return examples

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Each modality's task derives its own settings from the training patients that
        have it; the input it feeds the model is recorded for prediction."""
        from pmtk.core.runtime.tensorflow_setup import quiet_tensorflow
        from pmtk.plugins.fusion.table import present

        quiet_tensorflow()  # the modalities' datasets load TensorFlow before the loop does
        registry = context.registry
        modalities = parse_modalities(context.options, registry)
        tabular = tabular_modality(context.options, registry, [m.name for m in modalities])
        tabular_derived = registry.task(tabular.task).derive(train, tabular.context(registry))
        if tabular_derived["numeric"] or tabular_derived["categorical"]:
            modalities.append(tabular)
        entries = []
        for modality in modalities:
            task = registry.task(modality.task)
            rows = train[present(train, modality)]
            examples = self._modality_examples(rows, modality)
            derived = (
                tabular_derived
                if modality.name == TABULAR
                else task.derive(examples, modality.context(registry))
            )
            one = task.dataset(examples.head(1), None, modality.context(registry, derived))
            entries.append(modality.to_json() | {"derived": derived,
                                                 "input": _describe(one.element_spec)})  # fmt: skip
        return {"modalities": entries, "tabular": tabular_derived}

    def dataset(
        self, examples: pd.DataFrame, targets: np.ndarray | None, context: RunContext
    ) -> tf.data.Dataset:
        """Per patient: each modality's input (a placeholder where missing) and ``present``."""
        import tensorflow as tf

        from pmtk.plugins.fusion.models import input_name
        from pmtk.plugins.fusion.table import present

        registry = context.registry
        parts: dict[str, tf.data.Dataset] = {}
        masks = []
        for entry in context.derived["modalities"]:
            modality = Modality.from_json(entry)
            task = registry.task(modality.task)
            has = present(examples, modality)
            masks.append(has)
            sub_context = modality.context(registry, entry["derived"])
            rows = self._modality_examples(examples[has], modality)
            dataset = task.dataset(rows, None, sub_context) if has.any() else None
            dataset = _with_placeholders(dataset, has, entry["input"])
            if "shape" in entry["input"]:
                parts[input_name(modality.key)] = dataset
            else:
                for part in entry["input"]:
                    parts[input_name(modality.key, part)] = dataset.map(
                        lambda x, part=part: x[part]
                    )
        presence = np.stack(masks, axis=1).astype("float32")
        parts[PRESENT] = tf.data.Dataset.from_tensor_slices(presence)
        inputs = tf.data.Dataset.zip(parts)
        if targets is None:
            return inputs
        return tf.data.Dataset.zip((inputs, tf.data.Dataset.from_tensor_slices(targets)))

    def baseline_features(self, examples, dataset, context: RunContext):
        """Every modality's own baseline features (NaN where missing), side by side."""
        import pandas as pd

        from pmtk.plugins.fusion.table import present

        registry = context.registry
        columns: dict[str, Any] = {}
        for entry in context.derived["modalities"]:
            modality = Modality.from_json(entry)
            task = registry.task(modality.task)
            has = present(examples, modality)
            if modality.name == TABULAR:
                has = np.ones(len(examples), dtype=bool)  # the risk baseline imputes per column
            if not has.any():
                continue
            sub_context = modality.context(registry, entry["derived"])
            rows = self._modality_examples(examples[has], modality)
            features = task.baseline_features(rows, task.dataset(rows, None, sub_context),
                                              sub_context)  # fmt: skip
            if features is None:
                continue
            table = (
                features.reset_index(drop=True)
                if isinstance(features, pd.DataFrame)
                else pd.DataFrame(np.asarray(features, dtype="float32").reshape(int(has.sum()), -1))
            )
            table.index = np.flatnonzero(has)
            table = table.reindex(range(len(examples)))
            for name in table.columns:
                columns[f"{modality.name}:{name}"] = table[name].to_numpy()
        return pd.DataFrame(columns)

    def load_model(self, path: Path) -> keras.Model:
        """Registers the fusion layers and the built-in modalities' layers, then loads."""
        import pmtk.plugins.fusion.layers  # noqa: F401
        import pmtk.plugins.genomics.layers  # noqa: F401
        import pmtk.plugins.risk.layers  # noqa: F401

        return super().load_model(path)

    def finish(self, model: keras.Model, context: RunContext, splits: dict[str, Any]) -> dict:
        """``modalities``: the test metrics with only one modality shown to the model."""
        from pmtk.plugins.fusion.evaluation import modality_metrics

        return {"modalities": modality_metrics(self, model, context, splits["test"])}

    def _modality_examples(self, rows: pd.DataFrame, modality: Modality) -> pd.DataFrame:
        """The modality task's examples table for patients that have it (read already)."""
        import pandas as pd

        if modality.name == TABULAR:
            return rows
        return pd.DataFrame(list(rows[INPUT_PREFIX + modality.name]))


def _modality_inputs(
    examples: pd.DataFrame, modality: Modality, path: Path, registry: Any
) -> list[Any]:
    """Each patient's example of the modality (a dict), None where the cell is empty."""
    from pmtk.plugins.fusion.table import cell_where

    cells = examples[CELL_PREFIX + modality.name]
    cells = cells[cells.notna()]
    cells.index = examples.loc[cells.index, "row"].to_numpy()
    task = registry.task(modality.task)
    table = task.modality_examples(cells, path.parent, modality.context(registry),
                                   cell_where(str(path), examples, modality.name))  # fmt: skip
    rows = dict(zip(table.index, table.to_dict("records"), strict=True))
    return [rows.get(row) for row in examples["row"]]


def _describe(spec: Any) -> dict[str, Any]:
    """A dataset element's shape and dtype, as JSON (a dict of them for named inputs)."""
    if isinstance(spec, dict):
        return {name: _describe(part) for name, part in spec.items()}
    return {"shape": [None if d is None else int(d) for d in spec.shape],
            "dtype": spec.dtype.name}  # fmt: skip


def _with_placeholders(
    dataset: tf.data.Dataset | None, has: np.ndarray, described: dict[str, Any]
) -> tf.data.Dataset:
    """The modality's inputs in patient order, zeros (or '') where the patient lacks it."""
    import tensorflow as tf

    placeholder = tf.data.Dataset.from_tensors(_zeros(described)).repeat()
    if dataset is None:
        return placeholder.take(len(has))
    choice = tf.data.Dataset.from_tensor_slices((~has).astype("int64"))
    return tf.data.Dataset.choose_from_datasets([dataset, placeholder], choice)


def _zeros(described: dict[str, Any]) -> Any:
    import tensorflow as tf

    if "shape" not in described:
        return {name: _zeros(part) for name, part in described.items()}
    shape = [1 if d is None else d for d in described["shape"]]
    if described["dtype"] == "string":
        return tf.fill(shape, "")
    return tf.zeros(shape, dtype=described["dtype"])
