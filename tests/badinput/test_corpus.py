"""Every corpus case: the right exit status, one sentence naming the place, nothing changed.

The cases come from ``tests/badinput/make_corpus.py``; each writes its inputs into
this test's ``tmp_path``. Bad inputs must end with exit status 1, exactly one
``Error:`` line holding the case's fragments (file, column, line or record), no
traceback, inputs byte-identical afterwards (SHA-256 before and after, no file
added or removed) and no complete-looking run. Odd-but-valid inputs must succeed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmtk.core.host.plugins import PluginHost, reset_plugin_host
from tests.badinput.make_corpus import CASES, train_runs

#: Files whose presence makes a folder look like a finished run.
RUN_FILES = ("config.json", "model.keras", "metrics.json")
#: Lines a failing command may print on stderr: its error, and notices before it.
PREFIXES = ("Error: ", "Note: ", "Warning: ")


def test_the_corpus_is_large_and_covers_every_task_and_command():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    for prefix in ("risk-", "ae-", "gen-", "img-", "run-", "predict-", "explain-", "valid-"):
        assert any(i.startswith(prefix) for i in ids), prefix


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny trained risk, autoencoder and genomics runs shared by predict/explain cases."""
    from pmtk.cli.app import build_app

    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    runner = CliRunner()
    try:
        return train_runs(
            tmp_path_factory.mktemp("corpus-runs"),
            lambda args: runner.invoke(build_app(host), args, catch_exceptions=False),
        )
    finally:
        reset_plugin_host(None)


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (and every folder's name), by relative path."""
    if not root.exists():
        return {}
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "/"
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize("entry", CASES, ids=[case.id for case in CASES])
def test_case(entry, cli, tmp_path: Path, request: pytest.FixtureRequest):
    if "/proc/" in entry.id or (entry.id == "run-output-unwritable" and not Path("/proc").is_dir()):
        pytest.skip("needs Linux /proc")
    runs = request.getfixturevalue("runs") if entry.needs_runs else {}
    inputs, out = tmp_path / "in", tmp_path / "out"
    invocation = entry.build(inputs, out, runs)
    watched = [inputs, *runs.values()]
    before = {str(path): snapshot(path) for path in watched}

    result = cli(*invocation.args)

    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for text in invocation.absent:
        assert text not in result.stderr, f"{text!r} printed:\n{result.stderr}"
    if invocation.valid:
        assert result.exit_code == 0, output
        for fragment in invocation.fragments:
            assert fragment in result.stderr, result.stderr
    else:
        assert result.exit_code == 1, output
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, result.stderr
        noise = [line for line in result.stderr.splitlines() if not line.startswith(PREFIXES)]
        assert not noise, result.stderr
        sentence = errors[0]
        assert sentence.endswith("."), sentence
        for fragment in invocation.fragments:
            assert fragment in sentence, f"{fragment!r} not in: {sentence}"
        published = [p for name in RUN_FILES for p in out.rglob(name)] if out.exists() else []
        assert not published, published
    assert {str(path): snapshot(path) for path in watched} == before
