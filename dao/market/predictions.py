"""Paid predictions: a client requests with an input CID and the fee; the operator answers.

The fee is held by the market until fulfilment, then becomes dividends; an unanswered request is
refundable after the deadline. Inputs are checked against the feature columns of the epoch whose
metamodel serves them, so a client never pays for a file the operator cannot score.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from dao.chain.bindings import refusals_as_errors
from dao.chain.epochs import latest_final_epoch
from dao.data.datasets import InvalidDataset, read_table, text_columns, validate_features
from dao.data.encoding import encode_features
from dao.data.recipe import DataSchema
from dao.epoch.store import load_metamodel
from dao.epoch.valuation import EpochError, capped, read_recipe
from dao.errors import DaoError


class PredictionError(DaoError):
    """A prediction input does not fit the metamodel, or nothing can serve it."""


@dataclass(frozen=True)
class Requested:
    id: int
    input_cid: str
    fee: int
    rows: int
    tx_hash: str


@dataclass(frozen=True)
class Fulfilled:
    id: int
    output_cid: str
    rows: int
    tx_hash: str


def _serving_epoch(dao) -> int:
    epoch = latest_final_epoch(dao)
    if epoch is None:
        raise PredictionError("no epoch is final yet, so there is no metamodel to serve predictions")
    return epoch


def feature_matrix(dao, storage, content: bytes, epoch: int | None = None):
    """The input's features encoded as the serving epoch's metamodel was trained, or an error naming
    what is wrong with them."""
    epoch = epoch or _serving_epoch(dao)
    _, recipe = read_recipe(dao, storage, epoch)
    return encode_input(content, recipe.schema)


def encode_input(content: bytes, schema: DataSchema):
    """A prediction input (CSV or Parquet bytes) checked against `schema` and encoded like training
    data; columns beyond the features (an id, the target) are ignored."""
    name = "the prediction input"
    features_only = [column for column, _ in schema.features]
    try:
        # Only the feature columns are decoded; a repeated name or an oversized cell is refused.
        table = read_table(content, name, text_columns(schema), features_only, allow_extra=True)
        features = validate_features(table, schema, name)
    except InvalidDataset as exc:
        raise PredictionError(capped(f"{exc}; fix it before paying")) from None
    except Exception as exc:  # whatever else a stranger's file breaks is that file's problem
        raise PredictionError(f"{name} cannot be read ({type(exc).__name__}); fix it before paying") from None
    return encode_features(features, schema)


def prediction_table(metamodel, X) -> pd.DataFrame:
    """What a client receives: each class's probability (`p_<label>`), or the predicted value."""
    if metamodel.task == "regression":
        return pd.DataFrame({"prediction": metamodel.predict(X)})
    return pd.DataFrame(metamodel.predict_proba(X), columns=[f"p_{label}" for label in metamodel.classes_])


def request_prediction(dao, storage, content: bytes, sender) -> Requested:
    rows = len(feature_matrix(dao, storage, content))
    cid = storage.add(content)
    storage.pin(cid)
    fee = int(dao.market.price())
    with refusals_as_errors():
        receipt = dao.market.request(cid, value=fee, sender=sender)
    event = next(iter(receipt.decode_logs(dao.market.PredictionRequested)), None)
    request_id = int(event.id) if event is not None else int(dao.market.request_count())
    return Requested(request_id, cid, fee, rows, receipt.txn_hash)


def open_requests(dao) -> list[int]:
    pending = []
    for request_id in range(1, int(dao.market.request_count()) + 1):
        request = dao.market.requests(request_id)
        if not request.fulfilled and not request.refunded:
            pending.append(request_id)
    return pending


def serve_requests(dao, storage, operator, metamodel=None) -> list[Fulfilled]:
    """Answer every open request with the latest final epoch's metamodel."""
    epoch = _serving_epoch(dao)
    if metamodel is None:
        try:
            metamodel = load_metamodel(dao, storage, epoch)
        except EpochError as exc:
            raise PredictionError(str(exc)) from exc
    answered = []
    for request_id in open_requests(dao):
        request = dao.market.requests(request_id)
        try:
            X = feature_matrix(dao, storage, storage.get(request.input_cid), epoch)
        except (PredictionError, DaoError):
            continue  # an unreadable input is left for its requester to refund after the deadline
        buffer = io.StringIO()
        prediction_table(metamodel, X).to_csv(buffer, index=False, float_format="%.6f")
        output_cid = storage.add(buffer.getvalue().encode())
        with refusals_as_errors():
            receipt = dao.market.fulfill(request_id, output_cid, sender=operator)
        answered.append(Fulfilled(request_id, output_cid, len(X), receipt.txn_hash))
    return answered
