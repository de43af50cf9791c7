"""Tasks written for pmtk 0.1's two data paths keep working on the one path, with a warning."""

from __future__ import annotations

import pandas as pd
import pytest

from pmtk.core.loop.source import ExampleSource
from tests.core.fake_task import FakeTask, options_for, write_table


def _define(method: str):
    """A subclass of the fake task that defines a method retired in 0.2."""
    body = {
        "stream": lambda self, path, context: pytest.fail("stream() must not be called"),
        "prediction_parts": lambda self, path, context: iter(
            [
                pd.DataFrame({"id": ["a"], "x1": [0.0], "x2": [1.0]}),
                pd.DataFrame({"id": ["b"], "x1": [1.0], "x2": [0.0]}),
            ]
        ),  # fmt: skip
    }
    return type(f"Old{method.title()}Task", (FakeTask,), {method: body[method]})


@pytest.mark.parametrize("method", ["stream", "prediction_parts"])
def test_defining_a_retired_method_warns_once_at_definition(method):
    with pytest.warns(DeprecationWarning, match=rf"\.{method} is no longer called"):
        _define(method)


def test_a_task_with_stream_trains_from_read(tmp_path):
    with pytest.warns(DeprecationWarning):
        task = _define("stream")()
    data = write_table(tmp_path / "cohort.csv", {"a": 30, "b": 30})
    source = ExampleSource(task, _context(task, data))
    assert source.held and sum(source.counts().values()) == 60


def test_prediction_parts_still_serve_predict_for_one_release(tmp_path):
    with pytest.warns(DeprecationWarning):
        task = _define("prediction_parts")()
    data = write_table(tmp_path / "cohort.csv", {"a": 3, "b": 3})
    context = _context(task, data)
    parts = list(task.read_parts(data, context, require_labels=False))
    assert [list(part["id"]) for part in parts] == [["a"], ["b"]]
    assert len(list(task.read_parts(data, context))) == 1  # training reads `read`


def _context(task, data):
    from pmtk.core.contract.task import RunContext

    return RunContext(task.name, options_for(data, None), registry=None)
