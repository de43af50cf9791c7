"""Reading the three genomics layouts, gzip, and every malformed-input message."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.genomics.reading import fasta_stem, is_fasta, read_fasta
from pmtk.plugins.genomics.sequence_parts import read_sequences
from tests.plugins.genomics.conftest import (
    write_fasta,
    write_fasta_folder,
    write_labelled_fasta,
    write_table,
)


@pytest.mark.parametrize(
    ("name", "fasta", "stem"),
    [
        ("bound.fa", True, "bound"),
        ("Bound.FASTA", True, "Bound"),
        ("x.fna", True, "x"),
        ("peaks.v2.fa.gz", True, "peaks.v2"),
        ("notes.txt", False, None),
        ("table.csv", False, None),
        ("reads.gz", False, None),
    ],
)
def test_fasta_names(name: str, fasta: bool, stem: str | None):
    assert is_fasta(Path(name)) is fasta
    if stem:
        assert fasta_stem(Path(name)) == stem


@pytest.mark.parametrize("suffixes", [(".fa",), (".fasta.gz", ".fna")], ids=["plain", "gz-mixed"])
def test_folder_layout_class_is_the_file_stem(tmp_path: Path, suffixes):
    folder = write_fasta_folder(tmp_path / "data", per_class=5, suffixes=suffixes)
    examples = read_sequences(folder)
    assert len(examples) == 10
    assert examples["label"].value_counts().to_dict() == {"bound": 5, "unbound": 5}
    assert examples["id"].iloc[0] == "bound_00"
    assert set(examples["sequence"].str.len()) <= set(range(24, 37))


def test_folder_layout_prefixes_ids_that_repeat_across_files(tmp_path: Path):
    write_fasta(tmp_path / "a.fa", [("seq1", "ACGT"), ("seq2", "GG")])
    write_fasta(tmp_path / "b.fa", [("seq1", "TTTT")])
    assert read_sequences(tmp_path)["id"].tolist() == ["a/seq1", "a/seq2", "b/seq1"]


def test_folder_layout_ignores_other_files_with_a_note(tmp_path: Path, capsys):
    folder = write_fasta_folder(tmp_path / "data", per_class=3)
    (folder / "README.txt").write_text("about")
    (folder / ".DS_Store").write_text("")
    assert len(read_sequences(folder)) == 6
    assert "ignored 1 file(s) that are not FASTA, e.g. README.txt" in capsys.readouterr().err


def test_labelled_fasta_reads_label_group_and_split(tmp_path: Path):
    path = write_labelled_fasta(tmp_path / "all.fa", per_class=4)
    examples = read_sequences(path, group_column="donor")
    assert examples["label"].tolist() == ["bound"] * 4 + ["unbound"] * 4
    assert examples["group"].tolist()[:3] == ["d0", "d1", "d2"]
    assert "split" not in examples
    write_fasta(tmp_path / "s.fa", [("a label=x split=train", "AC"), ("b label=y split=test", "G")])
    assert read_sequences(tmp_path / "s.fa")["split"].tolist() == ["train", "test"]


def test_unlabelled_fasta_when_predicting_is_one_row_per_record(tmp_path: Path):
    path = write_fasta(
        tmp_path / "new.fa.gz", [("r1 some text", "ACGT"), ("r2", "gg"), ("r3", "N")]
    )
    examples = read_sequences(path, require_labels=False)
    assert examples["id"].tolist() == ["r1", "r2", "r3"]
    assert "label" not in examples


def test_multiline_and_windows_line_endings(tmp_path: Path):
    path = tmp_path / "crlf.fa"
    path.write_bytes(b">a label=x\r\nACGT\r\nAC\r\n\r\n>b label=y\r\nGG\r\n")
    examples = read_sequences(path)
    assert examples["sequence"].tolist() == ["ACGTAC", "GG"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_table_layout(tmp_path: Path, suffix: str):
    path = write_table(tmp_path / f"seqs{suffix}", per_class=3)
    examples = read_sequences(path)
    assert examples["id"].tolist()[:2] == ["bound_00", "bound_01"]
    assert examples["label"].nunique() == 2 and examples["row"].tolist()[0] == 2


def test_table_without_id_gets_row_ids_and_keeps_split_and_group(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("sequence,label,split,patient\n ACGT ,a,train,p1\nGG,b,test,p2\n")
    examples = read_sequences(path, group_column="patient")
    assert examples["id"].tolist() == ["row_2", "row_3"]
    assert examples["sequence"].tolist() == ["ACGT", "GG"]
    assert examples["split"].tolist() == ["train", "test"]
    assert examples["group"].tolist() == ["p1", "p2"]


def test_gzip_table_with_semicolons(tmp_path: Path):
    path = _write(tmp_path / "t.csv.gz", gzip.compress(b"sequence;label\nACGT;a\nGG;b\n"))
    assert read_sequences(path)["label"].tolist() == ["a", "b"]


def test_table_without_labels_when_predicting(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("sequence\nACGT\nGG\n")
    assert len(read_sequences(path, require_labels=False)) == 2


def test_gzip_fasta_round_trip(tmp_path: Path):
    path = write_fasta(tmp_path / "x.fa.gz", [("a", "ACGT" * 30)])
    assert read_fasta(path) == [("a", "ACGT" * 30)]


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _mixed(tmp: Path) -> Path:
    folder = write_fasta_folder(tmp / "mixed", per_class=3)
    write_table(folder / "also.csv", per_class=3)
    return folder


def _nested(tmp: Path) -> Path:
    folder = write_fasta_folder(tmp / "nested", per_class=3)
    write_fasta(folder / "more" / "extra.fa", [("z", "ACGT")])
    return folder


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t: _write(t / "empty.fa", ""), "empty.fa holds no FASTA records"),
        (lambda t: _write(t / "blank.fa", "\n\n"), "blank.fa holds no FASTA records"),
        (lambda t: _write(t / "empty.fa.gz", gzip.compress(b"")), "holds no FASTA records"),
        (lambda t: _write(t / "table.fa", "sequence,label\nACGT,a\n"),
         "is not FASTA: its first line is 'sequence,label'"),
        (lambda t: _write(t / "bad.fa.gz", b"not gzip at all"),
         "is not a readable gzip-compressed FASTA file"),
        (lambda t: _write(t / "nolabel.fa", ">a label=x\nAC\n>b other=1\nGG\n"),
         "record 'b' (number 2) has no label=<class> in its description"),
        (lambda t: _write(t / "nolabel.csv", "sequence\nACGT\n"), "has no 'label' column"),
        (lambda t: _write(t / "noseq.csv", "seq,label\nACGT,a\n"), "has no 'sequence' column"),
        (lambda t: _write(t / "emptylabel.csv", "sequence,label\nACGT,a\nGG, \n"),
         "row 3: the label is empty"),
        (lambda t: _write(t / "empty.csv", ""), "empty.csv is empty; give a table"),
        (lambda t: _write(t / "twice.csv", "sequence,label,label\nACGT,a,b\n"),
         "names the column 'label' twice"),
        (_mixed, "mixes layouts: FASTA files next to also.csv"),
        (_nested, "mixes layouts: FASTA files next to more"),
        (lambda t: (t / "none").mkdir() or t / "none", "holds no FASTA files at its top level"),
        (lambda t: write_table(t / "only" / "x.csv").parent, "pass the table itself"),
        (lambda t: _write(t / "reads.txt", ">a\nACGT\n"), "is neither FASTA"),
    ],
    ids=["empty-file", "blank-lines", "empty-gzip", "csv-named-fa", "corrupt-gzip",
         "record-without-label", "csv-without-label", "csv-without-sequence", "empty-label",
         "empty-csv", "csv-column-twice", "fasta-and-csv", "fasta-and-subfolder", "empty-folder",
         "folder-of-csv", "unknown-suffix"],
)  # fmt: skip
def test_bad_input_is_one_sentence_naming_the_file(tmp_path: Path, make, message: str):
    path = make(tmp_path)
    with pytest.raises(DataError) as error:
        read_sequences(path)
    assert message in str(error.value)
    assert str(tmp_path) in str(error.value)


def test_group_key_missing_from_a_record(tmp_path: Path):
    path = _write(tmp_path / "g.fa", ">a label=x donor=1\nAC\n>b label=y\nGG\n")
    with pytest.raises(DataError, match="record 'b' .* has no donor=<group>"):
        read_sequences(path, group_column="donor")


def test_group_column_missing_from_a_table(tmp_path: Path):
    path = write_table(tmp_path / "t.csv", per_class=2)
    with pytest.raises(DataError, match="has no column 'patient'"):
        read_sequences(path, group_column="patient")


def test_group_column_on_an_unknown_file_is_an_option_error(tmp_path: Path):
    with pytest.raises(OptionError, match="--group-column needs a FASTA or CSV/TSV file"):
        read_sequences(_write(tmp_path / "x.txt", "ACGT"), group_column="donor")


def test_a_plugin_reader_adds_a_sequence_format(host, tmp_path: Path):
    from pmtk import hookimpl
    from pmtk.core.contract.task import Reader

    def read_lines(path: Path) -> list[tuple[str, str]]:
        """One 'id sequence' pair per line."""
        return [tuple(line.split()) for line in path.read_text().splitlines()]

    class LinesPlugin:
        @hookimpl
        def pmtk_register_readers(self, register):
            register("genomics", Reader("lines", (".seqs",), read_lines))

    host.register(LinesPlugin(), "lines")
    try:
        folder = tmp_path / "classes"
        folder.mkdir()
        (folder / "bound.seqs").write_text("s1 ACGT\ns2 CCGG\n")
        (folder / "unbound.seqs").write_text("s3 TTTT\n")
        examples = read_sequences(
            folder, reader_for=host.registry.run_context("genomics", {}).reader_for
        )
        assert examples["label"].tolist() == ["bound", "bound", "unbound"]
        assert examples["sequence"].tolist() == ["ACGT", "CCGG", "TTTT"]
    finally:
        host.unregister("lines")


def _labelled_with_split(path: Path) -> Path:
    records = [(f"r{i} label={'ab'[i % 2]} split={('train', 'val', 'test')[i % 3]}", "ACGT" * 5)
               for i in range(60)]  # fmt: skip
    return write_fasta(path.with_suffix(".fa"), records)


def _repeating_folder(path: Path) -> Path:
    folder = write_fasta_folder(path, per_class=30)
    write_fasta(folder / "other.fa", [("bound_00", "ACGT"), ("bound_01", "GGCC")])
    return folder


@pytest.mark.parametrize(
    "make",
    [
        _labelled_with_split,
        _repeating_folder,
        lambda p: write_table(p.with_suffix(".tsv"), per_class=100),
    ],  # 64 rows a part at least
    ids=["labelled-fasta", "folder-with-repeated-ids", "table"],
)
def test_parts_are_the_one_part_cut_in_pieces(host, tmp_path: Path, monkeypatch, make):
    import pandas as pd

    from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE

    data = make(tmp_path / "data")
    task = host.registry.task("genomics")
    context = host.registry.run_context("genomics", {"data": data})
    whole = list(task.read_parts(data, context))
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr("pmtk.plugins.genomics.chunking.CHUNK_BASES", 100)
    parts = list(task.read_parts(data, context))
    assert len(whole) == 1 and len(parts) > 2
    joined = pd.concat(parts, ignore_index=True)
    columns = sorted(whole[0].columns)
    assert sorted(joined.columns) == columns
    key = "id"
    left = whole[0][columns].sort_values(key).reset_index(drop=True)
    right = joined[columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    assert all(part.attrs["row_label"][1] >= 1 for part in parts)


def test_a_bad_split_value_names_its_record_in_a_later_part(cli, tmp_path: Path, monkeypatch):
    from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE

    records = [(f"r{i} label={'ab'[i % 2]} split={('train', 'val', 'test')[i % 3]}", "ACGT" * 5)
               for i in range(60)]  # fmt: skip
    records[44] = ("r44 label=a split=holdout", "ACGT" * 5)
    data = write_fasta(tmp_path / "in" / "s.fa", records)
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr("pmtk.plugins.genomics.chunking.CHUNK_BASES", 100)
    result = cli("run", "genomics", "--data", data, "--output", tmp_path / "run")
    assert result.exit_code == 1
    assert f"{data}: record 45 has split 'holdout'" in result.stderr, result.stderr
