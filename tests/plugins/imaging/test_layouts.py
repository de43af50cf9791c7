"""Finding images in the three layouts, and the mistakes users make with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmtk.core.errors import DataError, OptionError
from pmtk.plugins.imaging.decoding import DICOM_EXTENSIONS, OPENCV_EXTENSIONS
from pmtk.plugins.imaging.layouts import find_images
from tests.conftest import write_images

EXTENSIONS = set(OPENCV_EXTENSIONS + DICOM_EXTENSIONS)


def test_class_folders(tmp_path: Path):
    frame = find_images(write_images(tmp_path / "d", per_class=3), EXTENSIONS)
    assert sorted(frame["label"].unique()) == ["lesion", "normal"]
    assert len(frame) == 6
    assert frame["id"].iloc[0] == "lesion/lesion_000.png"


def test_class_folders_may_nest_patients(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=2)
    (root / "lesion" / "patient7").mkdir()
    (root / "lesion" / "lesion_000.png").rename(root / "lesion" / "patient7" / "scan.png")
    frame = find_images(root, EXTENSIONS)
    assert "lesion/patient7/scan.png" in set(frame["id"])
    assert frame.set_index("id").loc["lesion/patient7/scan.png", "label"] == "lesion"


def test_flat_folder_takes_class_from_name(tmp_path: Path):
    frame = find_images(write_images(tmp_path / "d", per_class=2, layout="flat"), EXTENSIONS)
    assert sorted(frame["label"]) == ["lesion", "lesion", "normal", "normal"]


def test_flat_folder_without_labels_when_predicting(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=2, layout="flat")
    (root / "unlabelled.png").write_bytes((root / "normal_000.png").read_bytes())
    frame = find_images(root, EXTENSIONS, require_labels=False)
    assert "label" not in frame
    assert len(frame) == 5


def test_single_file_when_predicting(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=1)
    frame = find_images(root / "lesion" / "lesion_000.png", EXTENSIONS, require_labels=False)
    assert frame["id"].tolist() == ["lesion_000.png"]


def test_manifest_with_patients_and_splits(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=2)
    manifest = root / "manifest.csv"
    manifest.write_text(
        "path,label,patient_id,split\n"
        "lesion/lesion_000.png,lesion,p1,train\nlesion/lesion_001.png,lesion,p2,test\n"
        "normal/normal_000.png,normal,p3,val\nnormal/normal_001.png,normal,p3,train\n"
    )
    frame = find_images(manifest, EXTENSIONS)
    assert frame["group"].tolist() == ["p1", "p2", "p3", "p3"]
    assert frame["split"].tolist() == ["train", "test", "val", "train"]
    assert Path(frame["path"].iloc[0]).is_file()


def test_manifest_group_column_option(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=1)
    manifest = root / "m.tsv"
    manifest.write_text("path\tlabel\tfamily\nlesion/lesion_000.png\tlesion\tf1\n")
    assert find_images(manifest, EXTENSIONS, group_column="family")["group"].tolist() == ["f1"]
    with pytest.raises(DataError, match="no column 'site'"):
        find_images(manifest, EXTENSIONS, group_column="site")


def test_manifest_separator_and_encoding_come_from_the_file(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=1)
    manifest = root / "manifest.csv"
    manifest.write_bytes("\ufeffpath;label\nlesion/lesion_000.png;l\xe9sion\n".encode("utf-8"))
    frame = find_images(manifest, EXTENSIONS)
    assert frame["label"].tolist() == ["l\xe9sion"]


def test_non_images_are_ignored_with_a_note(tmp_path: Path, capsys):
    root = write_images(tmp_path / "d", per_class=2)
    (root / "lesion" / "notes.txt").write_text("reader comments")
    (root / "lesion" / ".DS_Store").write_text("")
    frame = find_images(root, EXTENSIONS)
    assert len(frame) == 4
    assert "ignored 1 file(s)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: None, "contains no images"),
        (lambda root: (root / "scan.png").write_bytes(b"x"), "has no class in its name"),
        (lambda root: (root / "notes.txt").write_text("x"), "contains no images"),
    ],
    ids=["empty-folder", "flat-without-class", "only-non-images"],
)
def test_folder_mistakes(tmp_path: Path, setup, message):
    root = tmp_path / "d"
    root.mkdir()
    setup(root)
    with pytest.raises(DataError, match=message) as error:
        find_images(root, EXTENSIONS)
    assert str(root) in str(error.value)


def test_mixed_layouts_are_refused(tmp_path: Path):
    root = write_images(tmp_path / "d", per_class=2)
    (root / "stray_1.png").write_bytes((root / "lesion" / "lesion_000.png").read_bytes())
    with pytest.raises(DataError, match="mixes images in class sub-folders"):
        find_images(root, EXTENSIONS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("file,label\na.png,x\n", "no 'path' column"),
        ("path\nlesion/lesion_000.png\n", "no 'label' column"),
        ("path,label\nlesion/missing.png,lesion\n", "row 2: lesion/missing.png does not exist"),
        ("path,label\n,lesion\n", "row 2: the path is empty"),
        ("path,label\nlesion/lesion_000.png,\n", "row 2: the label is empty"),
        ("", "is empty; give a table with a header row"),
        ("path,label,label\nlesion/lesion_000.png,lesion,x\n", "names the column 'label' twice"),
    ],
    ids=["no-path-column", "no-label-column", "row-points-nowhere", "empty-path", "empty-label",
         "empty-file", "label-column-twice"],
)  # fmt: skip
def test_manifest_mistakes(tmp_path: Path, content: str, message: str):
    root = write_images(tmp_path / "d", per_class=1)
    manifest = root / "manifest.csv"
    manifest.write_text(content)
    with pytest.raises(DataError, match=message) as error:
        find_images(manifest, EXTENSIONS)
    assert str(manifest) in str(error.value)


def test_group_column_needs_a_manifest(tmp_path: Path):
    with pytest.raises(OptionError, match="needs a CSV manifest"):
        find_images(write_images(tmp_path / "d", per_class=1), EXTENSIONS, group_column="p")


def test_split_folders_around_class_folders(tmp_path: Path):
    root = tmp_path / "chest_xray"
    write_images(root / "train", classes=("NORMAL", "PNEUMONIA"), per_class=4)
    write_images(root / "test", classes=("NORMAL", "PNEUMONIA"), per_class=2)
    frame = find_images(root, EXTENSIONS)
    assert sorted(frame["label"].unique()) == ["NORMAL", "PNEUMONIA"]
    assert frame["split"].value_counts().to_dict() == {"train": 8, "test": 4}
    assert "split" not in find_images(root, EXTENSIONS, require_labels=False)


def test_manifest_words_that_look_missing_are_kept_as_labels(tmp_path):
    """A class called "None" or "NA" is a name in a manifest, not a missing value."""
    from pmtk.plugins.imaging.layouts import read_manifest

    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "b.png").write_bytes(b"")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,label\na.png,None\nb.png,NA\n")
    table = read_manifest(manifest)
    assert sorted(table["label"]) == ["NA", "None"]
