"""--precision: mixed policies compute in 16 bits while every model output stays float32."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pmtk.core.runtime.precision import PRECISIONS, float32_outputs, precision_policy

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", PRECISIONS)
def test_outputs_stay_float32_and_the_policy_is_restored(name):
    import keras
    from keras import layers

    before = keras.mixed_precision.global_policy().name
    with precision_policy(name):
        inputs = keras.Input(shape=(3,))
        hidden = layers.Dense(4, activation="relu")(inputs)
        model = float32_outputs(keras.Model(inputs, layers.Dense(1, name="output")(hidden)))
        assert keras.mixed_precision.global_policy().name == name
        assert str(model.outputs[0].dtype) == "float32"
        assert str(model.get_layer("output").compute_dtype) == name.removeprefix("mixed_") or (
            name == "float32"
        )
    assert keras.mixed_precision.global_policy().name == before


def test_float32_model_is_returned_unchanged():
    import keras
    from keras import layers

    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    assert float32_outputs(model) is model


@pytest.mark.slow
@pytest.mark.parametrize("task", ["risk"])
def test_a_bf16_run_saves_a_float32_model(task, tmp_path):
    output = tmp_path / "run"
    completed = subprocess.run(
        [sys.executable, "-c", "from pmtk.cli.app import main; main()", "run", task,
         "--epochs", "1", "--bootstrap", "0", "--precision", "mixed_bfloat16",
         "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert json.loads((output / "config.json").read_text())["options"]["precision"] == (
        "mixed_bfloat16"
    )
    check = (
        "import sys; from pathlib import Path; from pmtk.core.host.plugins import PluginHost; "
        "from pmtk.core.loop.prediction import open_run; "
        "m = open_run(Path(sys.argv[1]), PluginHost()).load_model(); "
        "print(*[str(o.dtype) for o in m.outputs])"
    )
    dtypes = subprocess.run(
        [sys.executable, "-c", check, str(output)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    ).stdout.split()  # fmt: skip
    assert dtypes and set(dtypes) == {"float32"}
