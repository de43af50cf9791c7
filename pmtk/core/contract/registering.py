"""The ``register`` callbacks the contribution hooks receive, and the builders they take.

Typing a hook implementation's ``register`` argument with one of these Protocols lets a
type checker verify what a plugin passes. They belong to the task contract: nothing here
imports anything above it, nor TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import keras

    from pmtk.core.contract.context import ModelSpec
    from pmtk.core.contract.encoders import Encoded
    from pmtk.core.contract.reader import Reader
    from pmtk.core.contract.task import Task
    from pmtk.core.data.splitters import Splitter


class ModelBuilder(Protocol):
    """``builder(spec) -> keras.Model``: an uncompiled model for the spec's target."""

    def __call__(self, spec: ModelSpec, /) -> keras.Model: ...


class EncoderBuilder(Protocol):
    """``builder(spec) -> Encoded``: a modality's inputs and their fixed-size embedding."""

    def __call__(self, spec: ModelSpec, /) -> Encoded: ...


class RegisterTask(Protocol):
    """The callback of ``pmtk_register_tasks``: ``register(task)``."""

    def __call__(self, task: Task, /) -> None: ...


class RegisterModel(Protocol):
    """The callback of ``pmtk_register_models``."""

    def __call__(
        self, task_name: str, model_name: str, builder: ModelBuilder, description: str = ""
    ) -> None: ...


class RegisterReader(Protocol):
    """The callback of ``pmtk_register_readers``: ``register(task_name, reader)``."""

    def __call__(self, task_name: str, reader: Reader, /) -> None: ...


class RegisterSplitter(Protocol):
    """The callback of ``pmtk_register_splitters``: ``register(splitter)``."""

    def __call__(self, splitter: Splitter, /) -> None: ...


class RegisterExplainer(Protocol):
    """The callback of ``pmtk_register_explainers``: ``register(task_name, explainer)``."""

    def __call__(self, task_name: str, explainer: Any, /) -> None: ...


class RegisterCallback(Protocol):
    """The callback of ``pmtk_register_callbacks``: ``register(keras_callback)``."""

    def __call__(self, callback: keras.callbacks.Callback, /) -> None: ...


class RegisterEncoder(Protocol):
    """The callback of ``pmtk_register_encoders``."""

    def __call__(
        self, modality: str, encoder_name: str, builder: EncoderBuilder, description: str = ""
    ) -> None: ...
