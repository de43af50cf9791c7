"""``pmtk explain`` from start to end: open the run, check the options and the data, explain.

This module opens the run, checks the options, reads the data through the run's task,
calls the task's explainer, writes its files, then runs the sanity check (``check``) and
writes ``summary.json``. Nothing here imports TensorFlow at module level.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.errors import DataError, OptionError
from pmtk.core.explaining.check import sanity_check
from pmtk.core.explaining.contract import Explainer, ExplainRun, ExplainSettings

if TYPE_CHECKING:
    from pmtk.core.host.plugins import PluginHost


def open_run(run_dir: Path, host: PluginHost) -> ExplainRun:
    """Opens a finished run of any installed task.

    Raises:
        DataError: Not a finished run, a damaged one, or its task is not installed.
    """
    from pmtk.core.loop import prediction

    return prediction.open_run(run_dir, host)  # the one way a finished run is opened


#: Files looked at in a ``--data`` folder to tell which kind of data it holds.
_FILES_LOOKED_AT = 500


def check_modality(run: ExplainRun, data: Path) -> None:
    """Refuses data that only another task reads (FASTA for an imaging run, images for risk).

    Tables (CSV, TSV, Parquet) are never refused here: several tasks read them, and
    the run's task reports what a table lacks.

    Raises:
        DataError: Every data file's ending belongs to another task's readers.
    """
    from itertools import islice

    from pmtk.core.data.tables import PARQUET_EXTENSIONS, TEXT_EXTENSIONS

    registry, own = run.context.registry, run.task.name
    files = [data] if data.is_file() else [p for p in islice(data.rglob("*"), _FILES_LOOKED_AT)
                                           if p.is_file()]  # fmt: skip
    names = [f.name.lower() for f in files if not f.name.startswith(".")]
    tables = TEXT_EXTENSIONS + PARQUET_EXTENSIONS
    if not names or any(n.endswith(tables) for n in names):
        return
    if any(n.endswith(tuple(registry.extensions(own))) for n in names):
        return
    for task in sorted(registry.tasks):
        endings = tuple(registry.extensions(task))
        if task != own and endings and any(n.endswith(endings) for n in names):
            plain = sorted(e for e in registry.extensions(own) if e.count(".") == 1)
            article = "an" if own[:1] in "aeiou" else "a"
            raise DataError(
                f"{data} holds {task} data, but {run.run_dir} is {article} '{own}' run; pass "
                f"data of the kind the run was trained on ({', '.join(plain) or 'its tables'})."
            )


def check_settings(
    explainer: Explainer,
    run: ExplainRun,
    *,
    method: str | None,
    class_name: str | None,
    limit: int | None,
) -> tuple[str, int | None, int | None]:
    """The method, class index and limit, checked against the run and the explainer.

    Raises:
        OptionError: An unknown method, a class the run does not have, or a limit below 1.
    """
    task = run.task.name
    chosen = method or explainer.default_for(run)
    if chosen not in explainer.methods:
        raise OptionError(
            f"--method {chosen} is not a method of the {task} explainer; choose one of: "
            f"{', '.join(explainer.methods)}."
        )
    if limit is not None and limit < 1:
        raise OptionError(
            f"--limit must be at least 1 (the number of examples to explain); got {limit}."
        )
    class_index = None
    if class_name is not None:
        names = run.targets.class_names
        if not explainer.uses_classes or not names:
            raise OptionError(
                f"--class {class_name}: runs of the {task} task have no classes to choose "
                "from; leave out --class."
            )
        if class_name not in names:
            raise OptionError(
                f"--class {class_name} is not a class of the run {run.run_dir}; its classes are: "
                f"{', '.join(names)}."
            )
        class_index = names.index(class_name)
    return chosen, class_index, limit if limit is not None else explainer.default_limit


def explain(
    run_dir: Path,
    data: Path,
    output: Path | None,
    host: PluginHost,
    *,
    method: str | None = None,
    class_name: str | None = None,
    limit: int | None = None,
    batch_size: int | None = None,
    plot_count: int | None = None,
    output_format: str = "npz",
) -> tuple[Path, dict[str, Any]]:
    """Explains a run's model on the data at ``data`` and runs the sanity check.

    Writes the explainer's files and ``summary.json`` into ``output`` (default
    ``RUN_DIR/explain``), replacing earlier files of the same names.

    Returns:
        The output folder and the summary.

    Raises:
        PmtkError: Not a run, no explainer for its task, bad options or bad data.
    """
    run = open_run(run_dir, host)
    explainer = host.registry.explainer(run.task.name)
    chosen, class_index, limit = check_settings(
        explainer, run, method=method, class_name=class_name, limit=limit
    )
    output = Path(output) if output is not None else Path(run_dir) / "explain"
    if output.exists() and not output.is_dir():
        raise DataError(f"--output {output} is a file; pass a folder to write the results into.")
    data = Path(data).expanduser()
    if not data.exists():
        raise DataError(f"{data} does not exist; check the --data path.")
    check_modality(run, data)
    examples = run.task.read(data, run.context, require_labels=False)
    if len(examples) == 0:
        raise DataError(f"{data} holds no examples to explain; point --data at your data.")
    total = len(examples)
    examples = examples.head(limit).reset_index(drop=True) if limit else examples
    settings = ExplainSettings(
        chosen, class_index, limit, batch_size or run.context.options.batch_size,
        plot_count, output_format,
    )  # fmt: skip
    from pmtk.core.runtime.tensorflow_setup import quiet_tensorflow

    quiet_tensorflow()
    model = run.load_model()
    explanation = explainer.explain(run, examples, settings, model)
    output.mkdir(parents=True, exist_ok=True)
    files = explainer.write(run, examples, explanation, settings, output)
    summary = {
        "task": run.task.name,
        "method": chosen,
        "explained_class": None if class_index is None else run.targets.class_names[class_index],
        "examples": len(examples),  # the first ones, up to --limit
        "examples_in_data": total,
        "files": [*files, "summary.json"],
        **explanation.summary,
        "sanity_check": sanity_check(explainer, run, examples, settings, model, explanation),
    }
    (output / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return output, summary
