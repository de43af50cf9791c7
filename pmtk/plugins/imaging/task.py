"""The imaging task: a CNN classifier over medical images."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtk.core.contract.task import RunContext, Task, TaskOption
from pmtk.core.errors import DataError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Training images looked at to decide between grayscale and RGB.
_COLOR_SAMPLE = 32
#: Side of the downsampled image the logistic-regression baseline sees.
BASELINE_SIZE = 32


class ImagingTask(Task):
    """Classifies images (PNG, JPEG, BMP, TIFF, DICOM) into the classes of the data."""

    name = "imaging"
    description = "CNN classifier on medical images (PNG, JPEG, BMP, TIFF, DICOM)."
    default_model = "small_cnn"
    default_encoder = "small_cnn"
    sample_data = "imaging"
    baseline_inputs = f"pixels downsampled to {BASELINE_SIZE}x{BASELINE_SIZE}"
    options = (
        TaskOption("image_size", int, 128, "Height and width images are resized to."),
        TaskOption(
            "color_mode",
            str,
            "auto",
            "Channels fed to the model; auto picks rgb if training images have colour.",
            choices=("auto", "grayscale", "rgb"),
        ),
        TaskOption("augment", bool, True, "Light augmentation (rotation, shift, zoom, contrast)."),
        TaskOption("dropout_rate", float, 0.3, "Dropout before the output layer (small_cnn)."),
        TaskOption("skip_bad_images", bool, False, "Leave out unreadable images, with a notice."),
    )

    def read(self, path: Path, context: RunContext, *, require_labels: bool = True):
        """Lists images in any supported layout (see ``layouts.find_images``)."""
        from pmtk.plugins.imaging.layouts import find_images

        examples = find_images(
            path,
            context.extensions(),  # the readers the loop handed over
            require_labels=require_labels,
            group_column=(context.group_column or context.options.get("group_column"))
            if require_labels
            else None,
        )
        if require_labels and context.options.get("skip_bad_images"):
            examples = _drop_unreadable(self, examples, context)
        return examples

    def modality_examples(self, cells, base: Path, context: RunContext, where):
        """Fusion: each cell is an image path (relative to the table), in any format read here.

        With ``--skip-bad-images``, missing and unreadable images are left out with a note
        (fusion then treats them as missing) instead of stopping the run.
        """
        import pandas as pd

        paths = {}
        bad = []
        for index, cell in cells.items():
            path = Path(str(cell)).expanduser()
            path = path if path.is_absolute() else base / path
            problem = None
            if not path.is_file():
                problem = f"the image {path} does not exist"
            elif context.reader_for(path.name) is None:
                problem = f"no image reader handles {path.name}; convert it to PNG or DICOM"
            if problem is not None:
                bad.append((index, problem))
            else:
                paths[index] = str(path)
        skip = bool(context.options.get("skip_bad_images"))
        if bad and not skip:
            index, problem = bad[0]
            raise DataError(
                f"{where(index)}: {problem}; fix the path (relative paths start at the "
                "table's folder), leave the cell empty, or pass --skip-bad-images to treat "
                "it as missing."
            )
        examples = pd.DataFrame({"id": [str(i) for i in paths], "path": list(paths.values())})
        examples.index = pd.Index(list(paths), dtype=cells.index.dtype)
        if skip:
            examples = _drop_unreadable(self, examples, context, keep_index=True)
            if bad:
                print(
                    f"Note: left out {len(bad)} missing or unreadable image(s), such as at "
                    f"{where(bad[0][0])}; they count as missing.",
                    file=sys.stderr,
                )
        return examples

    def derive(self, train: pd.DataFrame, context: RunContext) -> dict[str, Any]:
        """Chooses 1 or 3 channels from ``--color-mode`` and a sample of training images."""
        mode = context.options.task_option("color_mode")
        if mode != "auto":
            return {"channels": 3 if mode == "rgb" else 1}
        from pmtk.plugins.imaging.decoding import is_color

        for path in train["path"].head(_COLOR_SAMPLE):
            try:
                if is_color(self.read_image(path, context)):
                    return {"channels": 3}
            except Exception:  # unreadable files are reported by the decode pass
                continue
        return {"channels": 1}

    def read_image(self, path: str, context: RunContext) -> np.ndarray:
        """Decodes one file with the reader registered for its extension."""
        reader = context.reader_for(path)
        if reader is None:
            raise DataError(f"No image reader handles {path}; convert it to PNG or DICOM.")
        return reader.read(path)

    def dataset(self, examples, targets, context: RunContext):
        """Streams decoded, resized images (0-255 floats) with their targets."""
        from pmtk.plugins.imaging.decoding import to_model_input
        from pmtk.plugins.imaging.pipeline import image_dataset

        size = context.options["image_size"]
        channels = context.derived["channels"]
        return image_dataset(
            examples["path"].tolist(),
            targets,
            lambda path: to_model_input(self.read_image(path, context), size, channels),
            image_size=size,
            channels=channels,
            what="images",
            skip_hint=targets is not None,
        )

    def baseline_features(self, examples, dataset, context: RunContext):
        """Pixels of each image, area-downsampled: the standard linear baseline for images.

        Batch by batch, so only the downsampled pixels are ever held for the whole split
        (a streamed split is never decoded into memory at once).
        """
        import cv2
        import numpy as np

        inputs = (
            dataset.map(lambda x, *_: x) if isinstance(dataset.element_spec, tuple) else dataset
        )
        small = [
            cv2.resize(image, (BASELINE_SIZE, BASELINE_SIZE), interpolation=cv2.INTER_AREA)
            for batch in inputs.batch(256).as_numpy_iterator()
            for image in batch
        ]
        return np.asarray(small, dtype="float32").reshape(len(small), -1)


def _drop_unreadable(
    task: ImagingTask, examples: pd.DataFrame, context: RunContext, keep_index: bool = False
) -> pd.DataFrame:
    """Decodes every image once and drops those that fail, saying which."""
    from concurrent.futures import ThreadPoolExecutor

    def readable(path: str) -> bool:
        try:
            task.read_image(path, context)
            return True
        except Exception:
            return False

    with ThreadPoolExecutor() as pool:
        keep = list(pool.map(readable, examples["path"]))
    dropped = examples.loc[[not k for k in keep], "path"].tolist()
    if dropped:
        print(f"Note: left out {len(dropped)} unreadable image(s): {', '.join(dropped[:5])}",
              file=sys.stderr)  # fmt: skip
    kept = examples[keep]
    return kept if keep_index else kept.reset_index(drop=True)
