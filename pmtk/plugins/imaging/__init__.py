"""Built-in imaging plugin: the task, its two architectures, its image readers and
its explainer.

Hook implementations only; TensorFlow, OpenCV and pydicom load inside the functions that use them.
"""

from pmtk import hookimpl
from pmtk.core.contract.task import Reader


@hookimpl
def pmtk_register_tasks(register):
    """Registers the imaging task."""
    from pmtk.plugins.imaging.task import ImagingTask

    register(ImagingTask())


@hookimpl
def pmtk_register_models(register):
    """Registers ``small_cnn`` (default) and ``seed`` (the seed article's CNN)."""
    from pmtk.plugins.imaging import models

    register("imaging", "small_cnn", models.build_small_cnn, "4 conv blocks + group norm (default)")
    register("imaging", "seed", models.build_seed_cnn, "the seed article's one-layer CNN")


@hookimpl
def pmtk_register_encoders(register):
    """Registers the imaging encoders (the models' layers before their output head)."""
    from pmtk.plugins.imaging import models

    register(
        "imaging",
        "small_cnn",
        models.encode_small_cnn,
        "stride-2 stem, 4 conv blocks with group norm, average+max pooling (default)",
    )
    register("imaging", "seed", models.encode_seed_cnn, "the seed article's conv + dense layer")


@hookimpl
def pmtk_register_readers(register):
    """Registers the OpenCV (PNG, JPEG, BMP, TIFF) and pydicom (DICOM) readers."""
    from pmtk.plugins.imaging import decoding

    register(
        "imaging",
        Reader("opencv", decoding.OPENCV_EXTENSIONS, decoding.read_opencv, "PNG/JPEG/BMP/TIFF"),
    )
    register("imaging", Reader("dicom", decoding.DICOM_EXTENSIONS, decoding.read_dicom, "DICOM"))


@hookimpl
def pmtk_register_explainers(register):
    """Registers the heatmap explainer (occlusion, Grad-CAM, Grad-CAM++, SmoothGrad)."""
    from pmtk.plugins.imaging.explain import ImagingExplainer

    register("imaging", ImagingExplainer())
