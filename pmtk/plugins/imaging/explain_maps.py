"""Heatmaps of image classifiers: Grad-CAM, Grad-CAM++, occlusion and SmoothGrad.

Every function takes a batch of model inputs (raw 0-255 pixels, ``(n, H, W, C)``), the
model and the class to explain per image, and returns ``(n, H, W)`` maps at the input
size, each scaled to 0..1 (higher = more important for that class). One function per
method, as MONAI's ``class_activation_maps`` and ``occlusion_sensitivity`` do; the target
layer of the CAM methods is found by type, not by name, so plugin models work too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.explaining import class_score

#: Noisy copies per image (SmoothGrad), and their noise as a share of the 0-255 range.
SMOOTHGRAD_SAMPLES = 16
SMOOTHGRAD_NOISE = 0.1
#: Occluding patch side as a share of the image side, and patches per forward pass.
OCCLUSION_SHARE = 1 / 8
_OCCLUSION_BATCH = 256


def _convolution_types() -> tuple[type, ...]:
    from keras import layers

    return (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D)


def cam_layer(model: Any) -> Any:
    """The layer whose output Grad-CAM weighs: the last 2-D convolution's block.

    The last ``Conv2D`` (or depthwise/separable) layer is found by type; the layers
    right after it that keep its output's shape (normalisation, activation) are taken
    too, so the map is made of the activations the rest of the network sees.

    Raises:
        ValueError: The model has no 2-D convolution (use ``occlusion`` or ``smoothgrad``).
    """
    convolutions = [i for i, layer in enumerate(model.layers)
                    if isinstance(layer, _convolution_types())]  # fmt: skip
    if not convolutions:
        raise ValueError("no 2-D convolution")
    index = convolutions[-1]
    chosen = model.layers[index]
    for layer in model.layers[index + 1 :]:
        try:
            follows = layer.input is chosen.output
        except (AttributeError, ValueError):  # several inputs, or not built in the graph
            follows = False
        if not follows or tuple(layer.output.shape) != tuple(chosen.output.shape):
            break
        chosen = layer
    return chosen


def _resize(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Maps ``(n, h, w)`` resized to ``size`` (bilinear) and scaled to 0..1 each."""
    import cv2

    height, width = size
    resized = np.stack(
        [cv2.resize(m.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
         for m in maps]
    )  # fmt: skip
    return normalise(resized)


def normalise(maps: np.ndarray) -> np.ndarray:
    """Each map shifted to a minimum of 0 and scaled to a maximum of 1 (all-zero stays 0)."""
    maps = maps - maps.min(axis=(1, 2), keepdims=True)
    peak = maps.max(axis=(1, 2), keepdims=True)
    return np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0).astype(np.float32)


def _cam(images: np.ndarray, model: Any, classes: np.ndarray, plus_plus: bool) -> np.ndarray:
    import keras
    import tensorflow as tf

    probe = keras.Model(model.inputs, [cam_layer(model).output, model.output])
    with tf.GradientTape() as tape:
        features, output = probe(tf.convert_to_tensor(images), training=False)
        score = class_score(output, classes)
    gradient = tape.gradient(score, features).numpy()
    features = features.numpy()
    if plus_plus:  # Chattopadhyay et al. 2018, closed form for a smooth score
        squared, cubed = gradient**2, gradient**3
        total = features.sum(axis=(1, 2), keepdims=True)
        denominator = 2 * squared + total * cubed
        alpha = np.divide(squared, denominator, out=np.zeros_like(squared),
                          where=np.abs(denominator) > 1e-12)  # fmt: skip
        weights = (alpha * np.maximum(gradient, 0)).sum(axis=(1, 2))
    else:
        weights = gradient.mean(axis=(1, 2))
    maps = np.maximum((features * weights[:, None, None, :]).sum(axis=3), 0)
    return _resize(maps, images.shape[1:3])


def gradcam(images: np.ndarray, model: Any, classes: np.ndarray) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017) on the last convolution block."""
    return _cam(images, model, classes, plus_plus=False)


def gradcam_plus_plus(images: np.ndarray, model: Any, classes: np.ndarray) -> np.ndarray:
    """Grad-CAM++ (Chattopadhyay et al. 2018) on the last convolution block."""
    return _cam(images, model, classes, plus_plus=True)


def smoothgrad(
    images: np.ndarray, model: Any, classes: np.ndarray, samples: int = SMOOTHGRAD_SAMPLES
) -> np.ndarray:
    """SmoothGrad (Smilkov et al. 2017): mean absolute input gradient over noisy copies."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    total = np.zeros(images.shape, dtype=np.float32)
    for _ in range(samples):
        noisy = images + rng.normal(0, SMOOTHGRAD_NOISE * 255, images.shape).astype(np.float32)
        tensor = tf.convert_to_tensor(noisy)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            score = class_score(model(tensor, training=False), classes)
        total += np.abs(tape.gradient(score, tensor).numpy())
    return normalise(total.sum(axis=3))


def occlusion(images: np.ndarray, model: Any, classes: np.ndarray) -> np.ndarray:
    """Occlusion sensitivity (Zeiler and Fergus 2014): score drop when a patch is hidden.

    A square patch (``OCCLUSION_SHARE`` of the side) slides with half-patch steps; under
    it the image is replaced by a strongly blurred copy of itself (a grey square would add
    edges a lesion detector responds to). Each pixel gets the mean drop of the patches
    covering it, in log-odds (a probability near 1 barely moves, its log-odds do),
    smoothed over one step so the peak sits in the middle of the most important region
    rather than on a corner of the patch grid. Needs only forward passes, so it works
    for any model.
    """
    import cv2

    from pmtk.core.explaining import class_probabilities

    def log_odds(output: np.ndarray, column: int) -> np.ndarray:
        probability = np.clip(class_probabilities(output)[:, column], 1e-7, 1 - 1e-7)
        return np.log(probability / (1 - probability))

    size = images.shape[1]
    patch = max(2, round(size * OCCLUSION_SHARE))
    stride = max(1, patch // 2)
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    boxes = [(y, x) for y in starts for x in starts]
    maps = np.zeros(images.shape[:3], dtype=np.float32)
    for index, image in enumerate(images):
        base = log_odds(model(image[None], training=False).numpy(), classes[index])[0]
        copies = np.repeat(image[None], len(boxes), axis=0)
        blurred = cv2.GaussianBlur(image, (0, 0), patch).reshape(image.shape)
        for copy, (y, x) in zip(copies, boxes, strict=True):
            copy[y : y + patch, x : x + patch] = blurred[y : y + patch, x : x + patch]
        scores = np.concatenate([
            log_odds(model(copies[s : s + _OCCLUSION_BATCH], training=False).numpy(),
                     classes[index])
            for s in range(0, len(copies), _OCCLUSION_BATCH)
        ])  # fmt: skip
        drop, count = np.zeros(image.shape[:2]), np.zeros(image.shape[:2])
        for (y, x), value in zip(boxes, base - scores, strict=True):
            drop[y : y + patch, x : x + patch] += value
            count[y : y + patch, x : x + patch] += 1
        maps[index] = cv2.GaussianBlur(drop / np.maximum(count, 1), (0, 0), stride)
    return normalise(np.maximum(maps, 0))


METHODS = {
    "gradcam": gradcam,
    "gradcam++": gradcam_plus_plus,
    "occlusion": occlusion,
    "smoothgrad": smoothgrad,
}
