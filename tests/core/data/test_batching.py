"""The training shuffle buffer: bounded in examples and bytes, with a one-time order past it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pmtk.core.data import batching
from pmtk.core.host.plugins import PluginHost
from pmtk.core.loop.training import train
from tests.core.fake_task import FakePlugin, FakeTask, options_for, write_table


def test_element_bytes_count_every_part_of_an_element():
    import tensorflow as tf

    image = tf.TensorSpec((128, 128, 3), tf.float32)
    target = tf.TensorSpec((), tf.float32)
    assert batching.element_bytes((image, target)) == 128 * 128 * 3 * 4 + 4
    row = {"age": tf.TensorSpec((1,), tf.float32), "site": tf.TensorSpec((1,), tf.string)}
    assert batching.element_bytes(row) == 4 + 64


def test_buffer_holds_every_example_that_fits_and_a_byte_bounded_window_past_it():
    import tensorflow as tf

    rows = tf.data.Dataset.from_tensor_slices(np.zeros((3000, 4), "float32"))
    assert batching.shuffle_buffer(rows) == 3000
    images = tf.data.Dataset.from_tensor_slices(np.zeros((2, 512, 512, 3), "float32"))
    per_image = 512 * 512 * 3 * 4
    assert batching.shuffle_buffer(images, 100_000) == batching.SHUFFLE_BYTES // per_image
    assert batching.shuffle_buffer(rows, 10**6) == batching.SHUFFLE_EXAMPLES


@pytest.fixture
def host():
    host = PluginHost(entry_points=False)
    host.register(FakePlugin(), "fake-plugin", distribution="pmtk-fake")
    yield host
    host.unregister("fake-plugin")


@pytest.mark.slow
def test_past_the_buffer_training_examples_get_a_seeded_order(host, tmp_path, monkeypatch):
    """Rows written class by class: a 4-example window would see one class at a time."""
    data = write_table(tmp_path / "cohort.csv", {"normal": 60, "lesion": 60})
    seen: list[list[str]] = []
    dataset = FakeTask.dataset

    def recording(self, examples, targets, context):
        if targets is not None and len(examples) > 1:
            seen.append(list(examples["id"]))
        return dataset(self, examples, targets, context)

    monkeypatch.setattr(FakeTask, "dataset", recording)
    monkeypatch.setattr(batching, "SHUFFLE_BYTES", 4 * batching.element_bytes(_fake_spec()))
    run = train(FakeTask(), options_for(data, tmp_path / "a", epochs=1), host)
    first_train = seen[0]
    ids = [int(i.removeprefix("row")) for i in first_train]
    assert ids != sorted(ids)  # not file order
    runs = [json.loads((run / "metrics.json").read_text())["n"]["train"]]
    seen.clear()
    again = train(FakeTask(), options_for(data, tmp_path / "b", epochs=1), host)
    assert seen[0] == first_train  # the same seed, the same order
    runs.append(json.loads((again / "metrics.json").read_text())["n"]["train"])
    assert runs[0] == runs[1] == len(first_train)


def _fake_spec():
    import tensorflow as tf

    return (tf.TensorSpec((2,), tf.float32), tf.TensorSpec((), tf.float32))
