"""Reading tables: separators, compression, encodings, Parquet, and unreadable files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data.tables import finite_values, read_parquet_table, read_text_table
from pmtk.core.errors import DataError

EXPECTED = {"age": ["61", "47"], "smoking": ["never", None], "outcome": ["yes", "no"]}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("c.csv", "age,smoking,outcome\n61,never,yes\n47,,no\n"),
        ("c.tsv", "age\tsmoking\toutcome\n61\tnever\tyes\n47\tNA\tno\n"),
        ("c.csv", "age;smoking;outcome\n61;never;yes\n47;?;no\n"),
        ("c.txt", "age\tsmoking\toutcome\n61\tnever\tyes\n47\t.\tno\n"),
        ("c.csv", "\ufeff age , smoking,outcome\n61, never,yes\n47,,no\n"),
    ],
    ids=["csv", "tsv", "semicolon", "txt-tab", "bom-and-spaces"],
)
def test_text_tables_are_read_as_text(tmp_path: Path, name: str, content: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    table = read_text_table(path, as_text=True)
    assert table.astype(object).where(table.notna(), None).to_dict("list") == EXPECTED
    assert table.attrs["row_label"] == ("line", 2)


def test_gzip_and_latin1(tmp_path: Path):
    path = tmp_path / "c.csv.gz"
    with gzip.open(path, "wb") as handle:
        handle.write("site,outcome\nSão Paulo,yes\nKöln,no\n".encode("latin-1"))
    assert read_text_table(path, as_text=True)["site"].tolist() == ["São Paulo", "Köln"]


def test_parquet_keeps_types_and_a_named_index(tmp_path: Path):
    frame = pd.DataFrame({"age": [61.0, None], "outcome": [True, False]},
                         index=pd.Index(["P1", "P2"], name="patient_id"))  # fmt: skip
    frame.to_parquet(tmp_path / "c.parquet")
    table = read_parquet_table(tmp_path / "c.parquet")
    assert list(table.columns) == ["patient_id", "age", "outcome"]
    assert table["outcome"].dtype == bool


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", b"", "is empty"),
        ("c.csv", b"  \n\n", "is empty"),
        ("c.csv", b"a,b\x00\x01", "it holds binary data"),
        ("c.csv", b'a,b\n1,"2\n', "cannot be read as a CSV/TSV table"),
        ("c.parquet", b"PAR1 not really", "cannot be read as a Parquet table"),
        ("c.csv.gz", b"not gzip at all", "cannot be read"),
    ],
    ids=["empty", "blank", "binary", "open-quote", "bad-parquet", "bad-gzip"],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str):
    path = tmp_path / name
    path.write_bytes(content)
    reader = read_parquet_table if name.endswith(".parquet") else read_text_table
    with pytest.raises(DataError, match=message) as error:
        reader(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("suffix", [".bz2", ".xz"])
def test_other_compressions(tmp_path: Path, suffix: str):
    import bz2
    import lzma

    opener = bz2.open if suffix == ".bz2" else lzma.open
    path = tmp_path / f"c.tsv{suffix}"
    with opener(path, "wb") as handle:
        handle.write(b"a\tb\n1\t2.5\n")
    assert read_text_table(path).to_dict("list") == {"a": [1], "b": [2.5]}


@pytest.mark.parametrize(
    "header", ["age,sex,age", "age,sex, age", '"age",sex,age', "age;sex;age"], ids=str
)
def test_a_column_named_twice_is_refused(tmp_path: Path, header: str):
    path = tmp_path / "c.csv"
    separator = ";" if ";" in header else ","
    path.write_text(f"{header}\n1{separator}F{separator}2\n")
    with pytest.raises(DataError, match=r"names the column 'age' twice \(columns 1 and 3\)"):
        read_text_table(path)


def test_a_parquet_column_named_twice_after_trimming_is_refused(tmp_path: Path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"age": [1], " age": [2]}).to_parquet(path)
    with pytest.raises(DataError, match="names the column 'age' twice"):
        read_parquet_table(path)


def test_names_like_pandas_renames_are_fine(tmp_path: Path):
    path = tmp_path / "c.csv"
    path.write_text("age,age.1\n1,2\n")
    assert list(read_text_table(path).columns) == ["age", "age.1"]


def test_finite_values_name_the_column_and_file_line(tmp_path: Path):
    path = tmp_path / "c.csv"
    path.write_text("a,b\n1,2\n3,1e400\n-inf,4\n")
    table = read_text_table(path)
    with pytest.raises(DataError, match=r"c.csv: column 'b' has an infinite .* at line 3;"):
        finite_values(table[["a", "b"]].astype(float), table, str(path))


def test_finite_values_as_missing_with_a_notice(tmp_path: Path, capsys):
    table = pd.DataFrame({"a": [1.0, np.inf], "b": [-np.inf, 2.0]})
    values = finite_values(table, table, "t.parquet", as_missing=True)
    assert values.isna().to_numpy().tolist() == [[False, True], [True, False]]
    assert "2 infinite or too large value(s) in column(s) 'a', 'b'" in capsys.readouterr().err
