"""The plugin docs cannot rot: every hook documented with its signature, tested, its example run."""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from pmtk.core.contract import hookspecs
from pmtk.core.contract.task import ModelSpec, RunContext
from pmtk.core.host.plugins import PluginHost

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugins"
HOOKS = {
    name: function
    for name, function in vars(hookspecs).items()
    if name.startswith("pmtk_") and hasattr(function, "pmtk_spec")
}


def signature(name: str) -> str:
    """The hook as its heading must read: ``pmtk_register_models(register)``."""
    return f"{name}({', '.join(inspect.signature(HOOKS[name]).parameters)})"


def sections(path: Path) -> dict[str, str]:
    """Level-2 heading -> the text under it, up to the next level-2 heading."""
    parts = re.split(r"^## (.+)$", path.read_text(), flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


HOOK_SECTIONS = sections(DOCS / "hooks.md")


def test_the_hookspecs_are_found():
    assert {"pmtk_register_tasks", "pmtk_register_commands"} <= set(HOOKS)


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_is_documented_with_its_signature(hook):
    expected = signature(hook)
    if expected in HOOK_SECTIONS:
        return
    wrong = [heading for heading in HOOK_SECTIONS if heading.startswith(f"{hook}(")]
    assert not wrong, f"docs/plugins/hooks.md documents {hook} as '{wrong[0]}'; it is '{expected}'"
    pytest.fail(f"docs/plugins/hooks.md has no section '## {expected}'")


def test_no_section_documents_a_hook_that_does_not_exist():
    documented = {h for h in HOOK_SECTIONS if h.startswith("pmtk_")}
    stale = documented - {signature(hook) for hook in HOOKS}
    assert not stale, f"docs/plugins/hooks.md documents hooks that do not exist: {sorted(stale)}"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_section_is_complete(hook):
    body = HOOK_SECTIONS.get(signature(hook), "")
    for part in ("**Arguments**", "**Returns**", "**When it is called**", "```python"):
        assert part in body, f"the section of {hook} in hooks.md lacks {part}"
    for argument in inspect.signature(HOOKS[hook]).parameters:
        assert f"- `{argument}`" in body, f"the section of {hook} does not describe `{argument}`"
    example = _example_code(hook)
    assert "@hookimpl" in example and f"def {hook}(" in example


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_hook_has_a_test(hook):
    tests = [p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_docs.py"]
    assert any(hook in path.read_text() for path in tests), f"no test under tests/ uses {hook}"


def test_environment_switches_are_documented():
    source = (ROOT / "pmtk" / "core" / "host" / "plugins.py").read_text()
    switches = set(re.findall(r"\bPMTK_[A-Z_]+\b", source))
    assert {"PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"} <= switches
    index = (DOCS / "index.md").read_text()
    assert not [s for s in switches if f"`{s}`" not in index], "index.md misses a switch"


def test_the_task_contract_is_documented():
    from pmtk.core.contract.task import Task

    section = HOOK_SECTIONS[signature("pmtk_register_tasks")]
    public = [name for name in dir(Task) if not name.startswith("_")]
    missing = [name for name in public if f"| `{name}" not in section]
    assert not missing, f"the Task table of hooks.md misses: {missing}"
    for name in sorted(Task.__abstractmethods__):
        assert f"| `{name}(" in section and "**abstract**" in section


def test_registry_api_for_commands_is_documented():
    from pmtk.core.host.registry import Registry

    section = HOOK_SECTIONS[signature("pmtk_register_commands")]
    methods = [n for n, v in vars(Registry).items() if not n.startswith("_") and callable(v)]
    missing = [n for n in methods if n != "collect" and f"`{n}(" not in section]
    assert not missing, f"the registry table of hooks.md misses: {missing}"


PAGES = sorted([str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md")] + ["README.md"])


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: ``Where `pmtk` differs`` -> ``where-pmtk-differs``."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page):
    path = ROOT / page
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    for target, fragment in re.findall(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)", text):
        if "://" in target:
            continue
        linked = (path.parent / target) if target else path
        assert linked.exists(), f"{page} links to {target}, which does not exist"
        if fragment and linked.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", linked.read_text(), flags=re.MULTILINE)
            anchors = {anchor(heading) for heading in headings}
            assert fragment in anchors, f"{page} links to {target}#{fragment}: no such heading"


@pytest.mark.parametrize("page", PAGES)
def test_scripts_named_in_the_docs_exist(page):
    text = (ROOT / page).read_text()
    for script in set(re.findall(r"\b((?:benchmarks|scripts)/\w+\.(?:py|sh))\b", text)):
        assert (ROOT / script).is_file(), f"{page} names {script}, which does not exist"


def test_readme_is_a_short_guide():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300, "the README is a guide; move reference to docs/"
    for command in ("bash scripts/quickstart.sh", "bash scripts/test.sh"):
        assert command in readme
    for page in ("reference.md", "benchmarks.md", "differences.md", "architecture.md"):
        assert f"(docs/{page}" in readme, f"the README does not link docs/{page}"


def test_docs_index_lists_every_page():
    index = (ROOT / "docs" / "index.md").read_text()
    pages = [str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")]
    missing = [page for page in pages if page != "index.md" and f"]({page})" not in index]
    assert not missing, f"docs/index.md does not link: {missing}"


def test_speed_table_lives_in_benchmarks_with_its_commands():
    page = (ROOT / "docs" / "benchmarks.md").read_text()
    speed = sections(ROOT / "docs" / "benchmarks.md")["Speed"]
    rows = [line for line in speed.splitlines() if line.startswith("| `")]
    assert rows, "docs/benchmarks.md has no Speed table"
    assert all("benchmarks/" in row.split("|")[1] for row in rows), "a row without its command"
    assert "scripts/readme_numbers.py" in page and "scripts/genomics_seeds.py" in page


def test_tutorial_shows_the_files_the_scaffold_writes():
    from pmtk.cli.plugin_command import FILES

    tutorial = (DOCS / "tutorial.md").read_text()
    for name in FILES:
        shown = "pmtk-lungnet/" + name.replace("MODULE", "pmtk_lungnet")
        assert shown in tutorial, f"tutorial.md does not list {shown}"


def test_testing_page_documents_the_test_kit():
    import pmtk.testing

    page = (DOCS / "testing.md").read_text()
    public = [
        name
        for name, value in vars(pmtk.testing).items()
        if not name.startswith("_") and getattr(value, "__module__", "") == "pmtk.testing"
    ]
    assert {"check_task", "write_image_folder", "TaskCheck"} <= set(public)
    assert not [name for name in public if f"`{name}" not in page], "testing.md misses a name"
    assert "check_task(task_name, data, *, tmp_path, options=None, host=None" in page
    parameters = inspect.signature(pmtk.testing.check_task).parameters
    assert all(f"- `{name}`" in page for name in parameters)


# -- every hook's example runs -------------------------------------------------------------


def _example_code(hook: str) -> str:
    body = HOOK_SECTIONS.get(signature(hook), "")
    match = re.search(r"```python\n(.*?)```", body, flags=re.DOTALL)
    return match.group(1) if match else ""


@pytest.fixture
def add_example(host: PluginHost):
    """Registers a hook's documented example as a plugin; always unregisters it."""
    names: list[str] = []

    def add(hook: str) -> str:
        module = types.ModuleType(f"docs_example_{hook}")
        exec(compile(_example_code(hook), f"hooks.md ({hook})", "exec"), module.__dict__)
        name = f"docs-{hook}"
        names.append(name)
        record = host.register(module, name)
        assert record.status == "loaded", record.errors
        return name

    yield add
    for name in names:
        host.unregister(name)


def _check_tasks(host: PluginHost, name: str, tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    from pmtk.testing import check_task

    assert host.registry.tasks["points"].plugin == name
    rng = np.random.default_rng(0)
    points = rng.normal(size=(24, 2))
    table = pd.DataFrame({"x": points[:, 0], "y": points[:, 1]})
    table["label"] = np.where(points[:, 0] > 0, "right", "left")
    table.to_csv(tmp_path / "points.csv", index=False)
    check_task("points", tmp_path / "points.csv", tmp_path=tmp_path / "check", host=host)


def _check_models(host: PluginHost, name: str, tmp_path: Path) -> None:
    assert host.registry.models["imaging"]["wide_cnn"].plugin == name
    builder = host.registry.model_builder("imaging", "wide_cnn")
    context = RunContext("imaging", {"dropout_rate": 0.1}, host.registry)
    model = builder(ModelSpec((16, 16, 1), "binary", 2, ["a", "b"], context))
    assert model.output_shape == (None, 1)
    assert type(model.layers[1]).__name__ == "Rescaling"


def _check_readers(host: PluginHost, name: str, tmp_path: Path) -> None:
    reader = host.registry.reader_for("imaging", "scan.MATRIX.txt")
    assert reader is not None and reader.name == "text-matrix"
    (tmp_path / "scan.matrix.txt").write_text("0 10 20\n30 40 50\n")
    assert reader.read(str(tmp_path / "scan.matrix.txt")).shape == (2, 3)


def _check_callbacks(host: PluginHost, name: str, tmp_path: Path) -> None:
    context = RunContext("imaging", {}, host.registry, run_dir=tmp_path)
    callbacks: list = []
    host.call_each(
        "pmtk_register_callbacks",
        lambda plugin: {"register": callbacks.append, "context": context},
    )
    (callback,) = callbacks
    callback.on_epoch_end(0, {})
    assert (tmp_path / "epoch_seconds.csv").read_text().startswith("0,")


def _check_commands(host: PluginHost, name: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app

    result = CliRunner().invoke(build_app(host), ["hello", "--name", "pmtk"])
    assert result.exit_code == 0 and result.stdout.strip() == "Hello, pmtk!"
    result = CliRunner().invoke(build_app(host), ["hello", "--name", "tasks"])
    assert "imaging" in result.stdout  # the command reached the host it was given


def _check_encoders(host: PluginHost, name: str, tmp_path: Path) -> None:
    from pmtk.core.contract.encoders import Encoded

    assert host.registry.encoders["imaging"]["channel_means"].plugin == name
    builder = host.registry.encoder_builder("imaging", "channel_means")
    context = host.registry.run_context("imaging", {})
    encoded = builder(ModelSpec((16, 16, 3), "binary", 1, ["a", "b"], context))
    assert isinstance(encoded, Encoded) and encoded.size == 3


def _check_explainers(host: PluginHost, name: str, tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app

    assert host.registry.explainers["points"].plugin == name
    tasks = types.ModuleType("docs_example_tasks_for_explainers")
    exec(compile(_example_code("pmtk_register_tasks"), "hooks.md", "exec"), tasks.__dict__)
    host.register(tasks, "docs-tasks-for-explainers")
    try:
        points = np.random.default_rng(0).normal(size=(40, 2))
        table = pd.DataFrame({"x": points[:, 0], "y": points[:, 1]})
        table["label"] = np.where(points[:, 0] > 0, "right", "left")
        table.to_csv(tmp_path / "points.csv", index=False)
        app, run = build_app(host), tmp_path / "run"
        data = str(tmp_path / "points.csv")
        arguments = ["--output", str(run), "--epochs", "2", "--bootstrap", "0"]
        result = CliRunner().invoke(app, ["run", "points", "--data", data, *arguments])
        assert result.exit_code == 0, result.output
        result = CliRunner().invoke(
            app, ["explain", str(run), "--data", str(tmp_path / "points.csv")]
        )
        assert result.exit_code == 0, result.output
        assert pd.read_csv(run / "explain" / "zeroing.csv").shape == (40, 3)
        assert (run / "explain" / "summary.json").is_file()
    finally:
        host.unregister("docs-tasks-for-explainers")


def _check_splitters(host: PluginHost, name: str, tmp_path: Path) -> None:
    import pandas as pd

    from pmtk.core.data.splitters import SplitRequest

    assert host.registry.splitters["site"].plugin == name
    splitter = host.registry.splitter("site")
    examples = pd.DataFrame({"id": [f"p{i}" for i in range(300)], "site": ["A", "B", "C"] * 100})
    split = splitter.assign(examples, SplitRequest(0.15, 0.15, 0, "points.csv"))
    assert (split[examples["site"] == "B"] == "test").all()
    assert set(split[examples["site"] != "B"]) == {"train", "val"}


EXAMPLE_CHECKS: dict[str, Callable[[PluginHost, str, Path], None]] = {
    "pmtk_register_tasks": _check_tasks,
    "pmtk_register_models": _check_models,
    "pmtk_register_readers": _check_readers,
    "pmtk_register_callbacks": _check_callbacks,
    "pmtk_register_commands": _check_commands,
    "pmtk_register_encoders": _check_encoders,
    "pmtk_register_explainers": _check_explainers,
    "pmtk_register_splitters": _check_splitters,
}


def test_every_hook_example_is_checked():
    assert set(HOOKS) <= set(EXAMPLE_CHECKS), "add a check of the new hook's example here"


@pytest.mark.slow
@pytest.mark.parametrize("hook", sorted(EXAMPLE_CHECKS))
def test_hook_example_runs(host, add_example, tmp_path, hook):
    name = add_example(hook)
    assert hook in host.hook_names(name)
    EXAMPLE_CHECKS[hook](host, name, tmp_path)
    assert host.records[name].errors == []
