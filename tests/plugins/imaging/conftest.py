"""Writers for the image formats the imaging task reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def _write_dicom(
    path: Path,
    pixels: np.ndarray,
    *,
    photometric: str = "MONOCHROME2",
    slope: float | None = None,
    intercept: float | None = None,
    center: float | None = None,
    width: float | None = None,
) -> Path:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "OT"
    bits = 8 if pixels.dtype == np.uint8 else 16
    dataset.set_pixel_data(pixels, photometric_interpretation=photometric, bits_stored=bits)
    if slope is not None:
        dataset.RescaleSlope = slope
        dataset.RescaleIntercept = intercept or 0
    if center is not None:
        dataset.WindowCenter = center
        dataset.WindowWidth = width
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.save_as(path, enforce_file_format=True)
    return path


@pytest.fixture
def write_dicom():
    """``write_dicom(path, pixels, photometric=, slope=, intercept=, center=, width=)``."""
    return _write_dicom


@pytest.fixture
def dicom_folder(tmp_path: Path) -> Path:
    """A two-class folder of 16-bit DICOM files; class 'lesion' has a bright square."""
    rng = np.random.default_rng(1)
    root = tmp_path / "dicom"
    for name in ("lesion", "normal"):
        for i in range(10):
            pixels = (rng.random((20, 20)) * 400 + 800).astype(np.uint16)
            if name == "lesion":
                x, y = rng.integers(3, 12, 2)
                pixels[y : y + 6, x : x + 6] = 3000
            _write_dicom(root / name / f"{name}_{i}.dcm", pixels, slope=1.0, intercept=-1024)
    return root
