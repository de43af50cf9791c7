"""The Cox partial likelihood as a Keras loss, for survival targets (DeepSurv).

The model outputs one number per patient, the log relative hazard (risk score) ``eta``.
For a batch with follow-up times ``t`` and event flags ``e``, the loss is the negative
Cox partial log-likelihood with Breslow's handling of tied times, divided by the
number of events in the batch::

    -1/sum(e) * sum_i e_i * (eta_i - log(sum_{j: t_j >= t_i} exp(eta_j)))

Every patient still under follow-up at an event time (``t_j >= t_i``, tied times
included) is in that event's risk set. A batch without events contributes 0.
Registered as serializable under the ``pmtk`` package, so ``model.keras`` loads once
this module has been imported.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="pmtk")
class CoxPartialLikelihood(keras.losses.Loss):
    """Negative Cox partial log-likelihood (Breslow ties) of a batch, per event.

    ``y_true`` is ``(batch, 2)``: follow-up time and event flag (1 event, 0 censored);
    ``y_pred`` is ``(batch, 1)``: the log relative hazard.
    """

    def __init__(self, name: str = "cox_partial_likelihood", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        """Per-example terms whose mean over the batch is the loss of the batch."""
        y_true = ops.cast(y_true, "float32")
        eta = ops.reshape(ops.cast(y_pred, "float32"), (-1,))
        times, events = y_true[:, 0], y_true[:, 1]
        at_risk = ops.expand_dims(times, 0) >= ops.expand_dims(times, 1)  # [i, j]: t_j >= t_i
        lowest = ops.convert_to_tensor(-1e30, "float32")
        candidates = ops.where(at_risk, ops.expand_dims(eta, 0), lowest)
        log_risk_set = ops.logsumexp(candidates, axis=1)
        batch = ops.cast(ops.shape(eta)[0], "float32")
        per_event = batch / ops.maximum(ops.sum(events), 1.0)
        return events * (log_risk_set - eta) * per_event
