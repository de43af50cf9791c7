"""``pmtk plugin new NAME``: writes a plugin package skeleton that installs and passes its test.

The skeleton ``pmtk-NAME/`` adds one architecture, ``NAME``, to the imaging task
through one hook (``pmtk_register_models``), so ``pip install ./pmtk-NAME`` then
``pmtk tasks`` shows it among the imaging models. Its test uses :mod:`pmtk.testing`.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import typer

from pmtk import __version__
from pmtk.cli.errors import user_errors
from pmtk.core.errors import OptionError
from pmtk.core.host.plugins import BUILTIN_PLUGINS, PluginHost

_NAME = re.compile(r"[a-z][a-z0-9_-]*")

_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "pmtk-$name"
version = "0.1.0"
description = "A pmtk plugin: the '$name' architecture for pmtk's imaging task."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["$requirement"]

[project.optional-dependencies]
test = ["pytest>=8"]

# This table makes the package a pmtk plugin: pmtk loads every entry point of the
# group "pmtk". The key is the plugin's name, the value the module with the hooks.
[project.entry-points.pmtk]
$name = "$module"

# The sample data folder is a package of its own so that a regular (non-editable) install
# ships it with its files, the way users install plugins.
[tool.setuptools]
packages = ["$module", "$module.sample_data"]

[tool.setuptools.package-data]
"$module.sample_data" = ["*.csv", "*.tsv", "*.png", "*.dcm", "*.fa", "*.md"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]
filterwarnings = ["ignore::DeprecationWarning"]
"""

_INIT = '''\
"""pmtk-$name: adds the '$name' architecture to pmtk's imaging task.

Hook implementations only. Keras is imported inside the model builder, so listing
tasks never loads TensorFlow because of this plugin.
"""

from pmtk import hookimpl


@hookimpl
def pmtk_register_models(register):
    """Registers '$name' for the imaging task: ``pmtk run imaging --model $name``."""
    from $module.model import build_model

    register("imaging", "$name", build_model, "small CNN from pmtk-$name")
'''

_MODEL = '''\
"""The '$name' model builder."""

from pmtk.core.contract.targets import output_layer
from pmtk.core.contract.task import ModelSpec


def build_model(spec: ModelSpec):
    """Rescaling -> two convolutions -> global average pooling -> pmtk's output layer.

    Args:
        spec: Input shape, target kind, class count and the run's options.

    Returns:
        An uncompiled Keras model; pmtk's training loop compiles and fits it.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=spec.input_shape, name="image")
    # The imaging task feeds raw 0-255 pixels; scaling inside the model keeps
    # 'pmtk predict' right on raw images.
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = output_layer(spec.kind, spec.num_classes)(x)
    return keras.Model(inputs, outputs, name="$module")
'''

_SAMPLE_DATA = '''\
"""Sample data shipped with pmtk-$name: put small files here (CSV, PNG, FASTA...).

pyproject.toml lists this folder as a package with its files as package data,
so a regular ``pip install`` ships them. A task points at them with a path::

    sample_data = str(Path(__file__).parent / "sample_data" / "cohort.csv")
"""
'''

_TEST = '''\
"""pmtk-$name: the hook registers the model, which trains, saves, reloads, predicts."""

import pytest
from pmtk.core.host.plugins import PluginHost, reset_plugin_host
from pmtk.testing import check_task, write_image_folder

import $module


@pytest.fixture
def host(monkeypatch):
    """pmtk's built-in plugins plus this one; unregistered even when the test fails."""
    for variable in ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)
    host = PluginHost(entry_points=False)
    host.register($module, "$name")
    reset_plugin_host(host)  # code that calls get_plugin_host() sees this host
    yield host
    host.unregister("$name")
    reset_plugin_host(None)


def test_registers_the_model(host):
    assert host.records["$name"].status == "loaded", host.records["$name"].errors
    assert "$name" in host.registry.model_names("imaging")


def test_trains_saves_reloads_and_predicts(host, tmp_path):
    check_task(
        "imaging",
        lambda folder: write_image_folder(folder / "images"),
        options={"model": "$name", "image_size": 16},
        tmp_path=tmp_path,
        host=host,
    )
'''

_README = """\
# pmtk-$name

A [pmtk](https://pypi.org/project/pmtk/) plugin that adds the `$name` architecture to the
imaging task. Written by `pmtk plugin new $name`.

## Use

```bash
pip install ./pmtk-$name      # or: pip install -e ./pmtk-$name while you work on it
pmtk tasks                    # imaging now lists '$name' among its models
pmtk run imaging --model $name --data path/to/images
```

## Test

```bash
pip install -e './pmtk-$name[test]'
pytest pmtk-$name/tests
```

The test registers the plugin on a plugin host by hand (and always unregisters it), so it
runs before the package is installed too, and trains one tiny epoch with `pmtk.testing`.

## Layout

- `pyproject.toml`: the `[project.entry-points.pmtk]` table is what makes pmtk find the plugin.
- `$module/__init__.py`: hook implementations only (`pmtk_register_models`).
- `$module/model.py`: the model builder; Keras is imported inside it.
- `tests/test_plugin.py`: registers the plugin in a fixture and checks it with `pmtk.testing`.

Next: add a task, a reader, a callback or a command; pmtk's `docs/plugins/hooks.md` documents
every hook with an example, and `docs/plugins/tutorial.md` walks through this package.
"""

#: Skeleton files, relative to ``pmtk-NAME/`` (``MODULE`` is replaced by the module name).
FILES = {
    "pyproject.toml": _PYPROJECT,
    "README.md": _README,
    "MODULE/__init__.py": _INIT,
    "MODULE/model.py": _MODEL,
    "MODULE/sample_data/__init__.py": _SAMPLE_DATA,
    "tests/test_plugin.py": _TEST,
}


def write_skeleton(name: str, directory: Path, taken: set[str] = frozenset()) -> Path:
    """Writes ``directory/pmtk-NAME/`` and returns it.

    Args:
        name: Plugin name: lower-case letters, digits, ``_`` or ``-``, starting with a letter.
        directory: Folder to create the package folder in.
        taken: Names of plugins already loaded (the new one must differ).

    Raises:
        OptionError: Invalid or taken name, or the package folder already exists.
    """
    if not _NAME.fullmatch(name):
        raise OptionError(
            f"'{name}' is not a valid plugin name; use lower-case letters, digits, '_' or "
            "'-', starting with a letter (for example 'resnet')."
        )
    if name in taken or name in BUILTIN_PLUGINS:
        raise OptionError(
            f"A plugin named '{name}' is already loaded; choose another name, or pmtk would "
            "report the two as clashing."
        )
    root = Path(directory) / f"pmtk-{name}"
    if root.exists():
        raise OptionError(f"{root} already exists; choose another NAME or --directory.")
    module = "pmtk_" + name.replace("-", "_")
    values = {"name": name, "module": module, "requirement": _requirement()}
    for relative, template in FILES.items():
        path = root / relative.replace("MODULE", module)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values))
    return root


def _requirement() -> str:
    """``pmtk>=<this version>``, or plain ``pmtk`` when running from an uninstalled tree."""
    return f"pmtk>={__version__}" if __version__[0].isdigit() and "+" not in __version__ else "pmtk"


def register(app: typer.Typer, host: PluginHost) -> None:
    """Adds the ``plugin`` command group (``pmtk plugin new``)."""
    group = typer.Typer(help="Write pmtk plugin packages.", no_args_is_help=True)

    @group.command("new")
    def new(
        name: str = typer.Argument(..., help="Plugin name; the package is pmtk-NAME."),
        directory: Path = typer.Option(
            Path("."), "--directory", "-d", help="Folder to create pmtk-NAME/ in."
        ),
    ) -> None:
        """Write a plugin package pmtk-NAME/: entry point, one hook, a passing test, a README."""
        with user_errors():
            root = write_skeleton(name, directory, set(host.records))
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            typer.echo(path)
        typer.echo(f"Next: pip install -e {root} && pmtk tasks", err=True)

    app.add_typer(group, name="plugin")
