"""Finding labelled images: class sub-folders, ``<label>_name`` files, or a CSV manifest."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from pmtk.core.data.tables import group_column as column_groups
from pmtk.core.data.tables import read_text_table
from pmtk.core.errors import DataError, OptionError

MANIFEST_SUFFIXES = (".csv", ".tsv")
#: Top-level folder names read as a split (``chest_xray/train/NORMAL/...``), not as classes.
SPLIT_FOLDERS = {"train", "training", "val", "valid", "validation", "test", "testing"}
#: Files every file manager leaves behind; never reported as "not an image".
_JUNK = {".ds_store", "thumbs.db", "desktop.ini"}
_PROGRESS_EVERY = 10_000


def find_images(
    path: Path,
    extensions: set[str],
    *,
    require_labels: bool = True,
    group_column: str | None = None,
) -> pd.DataFrame:
    """Lists the images at ``path`` as an examples table.

    Args:
        path: A folder (class sub-folders, optionally inside ``train``/``val``/``test``
            folders, or flat ``<label>_<anything>.<ext>`` files), a CSV/TSV manifest,
            or (when predicting) one image file.
        extensions: Image file endings that some reader accepts.
        require_labels: False when predicting: unlabelled layouts are accepted.
        group_column: Manifest column whose groups stay in one split
            (default: ``patient_id`` when the manifest has it).

    Returns:
        Columns ``id``, ``path`` and, where known, ``label``, ``group``, ``split``.

    Raises:
        DataError: Unknown layout, no images, unlabelled files, broken manifest rows.
    """
    if path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES:
        return read_manifest(path, require_labels=require_labels, group_column=group_column)
    if group_column is not None:
        raise OptionError(
            f"--group-column needs a CSV manifest with that column; {path} is not a manifest."
        )
    if path.is_file():
        if _has_extension(path.name, extensions) and not require_labels:
            return pd.DataFrame({"id": [path.name], "path": [str(path)]})
        raise DataError(
            f"{path} is neither a folder of images nor a CSV manifest; point --data at a folder "
            "with one sub-folder per class, or at a CSV with path,label columns."
        )
    files, ignored = _scan(path, extensions)
    if ignored:
        example = ignored[0].relative_to(path)
        print(f"Note: ignored {len(ignored)} file(s) that are not images, e.g. {example}",
              file=sys.stderr)  # fmt: skip
    if not files:
        endings = ", ".join(sorted(extensions))
        raise DataError(f"{path} contains no images ({endings}); point --data at your images.")
    nested = [f for f in files if f.parent != path]
    if nested and len(nested) < len(files):
        top = next(f for f in files if f.parent == path)
        raise DataError(
            f"{path} mixes images in class sub-folders with images at the top level (such as "
            f"{top.name}); use one layout: move every image into its class folder."
        )
    ids = [f.relative_to(path).as_posix() for f in files]
    frame = pd.DataFrame({"id": ids, "path": [str(f) for f in files]})
    parts = [Path(i).parts for i in ids]
    if nested and all(len(p) > 2 and p[0].lower() in SPLIT_FOLDERS for p in parts):
        frame["label"] = [p[1] for p in parts]
        if require_labels:
            frame["split"] = [p[0] for p in parts]
    elif nested:
        frame["label"] = [p[0] for p in parts]
    elif require_labels:
        frame["label"] = [_label_from_name(f, path) for f in files]
    return frame


def _has_extension(name: str, extensions: set[str]) -> bool:
    lowered = name.lower()
    return any(lowered.endswith(ext) for ext in extensions)


def _scan(root: Path, extensions: set[str]) -> tuple[list[Path], list[Path]]:
    images: list[Path] = []
    ignored: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name.lower() in _JUNK:
                continue
            target = images if _has_extension(name, extensions) else ignored
            target.append(Path(folder) / name)
            if len(images) % _PROGRESS_EVERY == 0 and target is images:
                print(f"Scanning {root}: {len(images):,} images so far...", file=sys.stderr)
    return images, ignored


def _label_from_name(file: Path, root: Path) -> str:
    label, separator, _ = file.stem.partition("_")
    if not separator or not label:
        raise DataError(
            f"{file} has no class in its name; in a flat folder name files "
            f"'<class>_<anything>{file.suffix}' (for example lesion_001{file.suffix}), or put "
            f"them in one sub-folder per class under {root}."
        )
    return label


def read_manifest(
    manifest: Path, *, require_labels: bool = True, group_column: str | None = None
) -> pd.DataFrame:
    """Reads a ``path,label[,patient_id][,split]`` manifest; paths are relative to it.

    The table is read by :func:`pmtk.core.data.tables.read_text_table` (encoding and separator
    from the file, a column named twice refused); a missing-value marker is an empty cell.

    Raises:
        DataError: Unreadable file, missing columns, empty cells or missing images.
    """
    # Only an empty cell is empty: "NA" or "None" may be a class or a sequence name.
    table = read_text_table(manifest, as_text=True, missing_markers=False).fillna("")
    needed = ["path"] + (["label"] if require_labels else [])
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(
            f"{manifest} has no '{missing[0]}' column; a manifest needs columns "
            f"{','.join(needed)} (found: {', '.join(table.columns) or 'none'})."
        )
    paths = []
    for row, value in enumerate(table["path"], start=2):  # row 1 is the header
        if not value.strip():
            raise DataError(
                f"{manifest}, row {row}: the path is empty; fill it in or drop the row."
            )
        image = (manifest.parent / value.strip()).resolve()
        if not image.is_file():
            raise DataError(
                f"{manifest}, row {row}: {value} does not exist (paths are relative to the "
                "manifest's folder); fix the path or drop the row."
            )
        paths.append(str(image))
    frame = pd.DataFrame({"id": table["path"].str.strip(), "path": paths})
    if "label" in table.columns:
        empty = table["label"].str.strip() == ""
        if require_labels and empty.any():
            row = int(empty.to_numpy().nonzero()[0][0]) + 2
            raise DataError(f"{manifest}, row {row}: the label is empty; give every image a label.")
        frame["label"] = table["label"].str.strip()
    column = group_column or ("patient_id" if "patient_id" in table.columns else None)
    if column is not None:
        frame["group"] = column_groups(table, column, str(manifest))
    if "split" in table.columns and require_labels:
        frame["split"] = table["split"]
    return frame
