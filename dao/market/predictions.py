"""Paid predictions: a client requests with an input CID and the fee; the operator answers.

The fee is held by the market until fulfilment, then becomes dividends; a request the operator
cannot serve is refused on-chain and refunded at once; an unanswered request is refundable after
the deadline. Inputs are checked against the feature columns of the epoch whose
metamodel serves them, so a client never pays for a file the operator cannot score.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dao.chain.enums import RefusalReason, RequestStatus
from dao.chain.epochs import latest_final_epoch
from dao.chain.reverts import refusals_as_errors
from dao.data.datasets import InvalidDataset, read_table, text_columns, validate_features
from dao.data.encoding import encode_features
from dao.data.recipe import DataSchema
from dao.epoch.store import load_committed_metamodel, load_metamodel, write_atomic
from dao.epoch.valuation import EpochError, capped, read_recipe
from dao.errors import DaoError
from dao.storage import ContentTooLarge, StorageUnavailable
from dao.storage.errors import ContentNotFound, CorruptBlock, InvalidCID, NotAFile

# A prediction input's bytes, at most: checked by the client before paying and by the operator
# while streaming it from storage.
MAX_INPUT_BYTES = 32 * 1024 * 1024


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


def live_serving_epoch(dao) -> int | None:
    """The current epoch when it is live-scored with its metamodel committed and not yet settled:
    its paid predictions are answered by that committed metamodel, so revenue and scoring come from
    the same model (issue 20)."""
    from dao.chain.enums import EpochStatus
    from dao.chain.epochs import epoch_status
    from dao.outcomes.chain import live_state

    epoch = int(dao.settlement.current_epoch())
    if epoch == 0:
        return None
    if epoch_status(dao, epoch) not in (EpochStatus.OPEN, EpochStatus.COMMITTED, EpochStatus.CHALLENGED):
        return None
    state = live_state(dao, epoch)
    return epoch if state is not None and state.metamodel_block != 0 else None


def _serving_epoch(dao) -> int:
    live = live_serving_epoch(dao)
    if live is not None:
        return live
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
    if len(content) > MAX_INPUT_BYTES:
        raise PredictionError(f"the prediction input is larger than {MAX_INPUT_BYTES:,} bytes; split it")
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
    """Every open request id, read one by one (a full scan; `serve_requests` reads events instead)."""
    pending = []
    for request_id in range(1, int(dao.market.request_count()) + 1):
        if int(dao.market.requests(request_id).status) == RequestStatus.OPEN:
            pending.append(request_id)
    return pending


@dataclass
class Cursor:
    """Where the serving loop left off: the next block to read events from, the requests still
    waiting for a retry as `[id, input CID]` pairs (the CID is only in the request's event), and the
    hash of the block before `block` (a restarted chain resets it)."""

    block: int
    pending: list[tuple[int, str]]
    block_hash: str = ""

    @classmethod
    def load(cls, path: Path | None, start: int, hash_of) -> Cursor:
        if path is None or not path.is_file():
            return cls(start, [])
        try:
            document = json.loads(path.read_text())
            pending = [(int(i), str(cid)) for i, cid in document["pending"]]
            cursor = cls(int(document["block"]), pending, document["hash"])
        except (ValueError, KeyError, TypeError):
            return cls(start, [])  # unreadable (or an older format): read the events again
        # Another chain under the same address (a restarted local node): start again.
        return cursor if cursor.block_hash == hash_of(cursor.block - 1) else cls(start, [])

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"block": self.block, "pending": [list(p) for p in self.pending], "hash": self.block_hash}
        write_atomic(path, json.dumps(document).encode())


@dataclass(frozen=True)
class Skipped:
    """A request left alone: already closed, expired (its requester refunds it), or a refusal the
    market did not accept."""

    id: int
    reason: str


@dataclass(frozen=True)
class Refused:
    """A request refused on-chain: its fee went back to the requester at once (or, if the requester
    does not accept ETH, is claimable by it with `refund`)."""

    id: int
    code: RefusalReason
    reason: str
    tx_hash: str


class _Refusal(Exception):
    def __init__(self, code: RefusalReason, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, capped(reason)


def _read_input(storage, input_cid: str, schema: DataSchema):
    """The request's input encoded for the metamodel; `_Refusal` when the input is at fault, and
    StorageUnavailable / CorruptBlock (the operator's store) propagate for a retry."""
    try:
        content = b"".join(storage.open(input_cid, max_bytes=MAX_INPUT_BYTES))
    except (StorageUnavailable, CorruptBlock):
        raise
    except ContentTooLarge:
        raise _Refusal(
            RefusalReason.INPUT_TOO_LARGE, f"the input is larger than {MAX_INPUT_BYTES:,} bytes"
        ) from None
    except (InvalidCID, ContentNotFound, NotAFile) as exc:
        raise _Refusal(RefusalReason.INPUT_UNAVAILABLE, f"the input cannot be fetched: {exc}") from None
    except Exception as exc:  # a stranger's DAG must never stop the loop, whatever it breaks
        raise _Refusal(
            RefusalReason.INPUT_UNAVAILABLE, f"the input cannot be fetched ({type(exc).__name__})"
        ) from None
    try:
        return encode_input(content, schema)
    except Exception as exc:  # a stranger's input must never stop the loop, whatever it breaks
        reason = str(exc) if isinstance(exc, DaoError) else type(exc).__name__
        raise _Refusal(RefusalReason.INVALID_INPUT, f"the input cannot be used: {reason}") from None


def answer_request(
    market, storage, schema: DataSchema, metamodel, operator, request_id: int, input_cid: str, now: int
):
    """One request, on its own: a `Fulfilled`; a `Refused` when its input (or the answer) fails,
    refused on-chain so the client is refunded at once; a `Skipped` when it is already closed or
    expired (its requester refunds it) or the market refused the transaction; or None when the
    operator's own storage is down and the request should be retried."""
    request = market.requests(request_id)
    if int(request.status) != RequestStatus.OPEN:
        return Skipped(request_id, "already closed")
    if now > int(request.deadline):
        return Skipped(request_id, "its deadline has passed; the requester can refund the fee")
    try:
        X = _read_input(storage, input_cid, schema)
        try:
            buffer = io.StringIO()
            prediction_table(metamodel, X).to_csv(buffer, index=False, float_format="%.6f")
        except Exception as exc:  # the input was valid: the failure is ours, the client gets its fee back
            raise _Refusal(
                RefusalReason.OPERATOR_ERROR, f"the prediction failed ({type(exc).__name__})"
            ) from None
    except (StorageUnavailable, CorruptBlock):
        return None
    except _Refusal as refusal:
        return _refuse(market, operator, request_id, refusal)
    output_cid = storage.add(buffer.getvalue().encode())
    try:
        with refusals_as_errors():
            receipt = market.fulfill(request_id, output_cid, sender=operator)
    except DaoError as exc:  # a revert (closed or expired meanwhile) concerns this request alone
        return Skipped(request_id, capped(f"fulfil refused: {exc}"))
    return Fulfilled(request_id, output_cid, len(X), receipt.txn_hash)


def _refuse(market, operator, request_id: int, refusal: _Refusal):
    try:
        with refusals_as_errors():
            receipt = market.refuse(request_id, int(refusal.code), sender=operator)
    except DaoError as exc:  # closed meanwhile: nothing left to refund
        return Skipped(request_id, capped(f"{refusal.reason}; the refusal was refused: {exc}"))
    return Refused(request_id, refusal.code, refusal.reason, receipt.txn_hash)


def serve_requests(
    dao,
    storage,
    operator,
    metamodel=None,
    cursor_file: Path | None = None,
    skipped: list | None = None,
    chain=None,
) -> list[Fulfilled]:
    """Answer every open request with the latest final epoch's metamodel (a live epoch's committed
    metamodel while its outcomes resolve), each on its own.

    New requests are found from `PredictionRequested` events after the saved cursor (not by reading
    every request ever made). A request whose input cannot be used (unreadable, oversized, not
    fetchable) or whose answer fails is refused on-chain, so its client is refunded at once; one
    already closed or expired is skipped. Refusals and skips go into `skipped` (`Refused` and
    `Skipped`) and never stop the others; only the operator's own storage being down leaves a
    request pending for the next pass.
    """
    if chain is None:
        from ape import chain

    epoch = _serving_epoch(dao)
    if metamodel is None:
        try:
            if epoch == live_serving_epoch(dao):
                metamodel = load_committed_metamodel(dao, storage, epoch)
            else:
                metamodel = load_metamodel(dao, storage, epoch)
        except EpochError as exc:
            raise PredictionError(str(exc)) from exc
    _, recipe = read_recipe(dao, storage, epoch)
    skipped = [] if skipped is None else skipped

    def hash_of(number: int) -> str:
        return chain.blocks[number].hash.hex() if 0 <= number <= chain.blocks.height else ""

    cursor = Cursor.load(cursor_file, int(dao.deployment.block), hash_of)
    head = int(chain.blocks.height)
    found = {
        int(log.id): str(log.input_cid)
        for log in dao.market.PredictionRequested.range(cursor.block, head + 1)
    }
    now = int(chain.pending_timestamp)
    answered, retry = [], []
    for request_id, input_cid in sorted({**dict(cursor.pending), **found}.items()):
        outcome = answer_request(
            dao.market, storage, recipe.schema, metamodel, operator, request_id, input_cid, now
        )
        if outcome is None:
            retry.append((request_id, input_cid))
        elif isinstance(outcome, Skipped | Refused):
            skipped.append(outcome)
        else:
            answered.append(outcome)
    Cursor(head + 1, retry, hash_of(head)).save(cursor_file)
    return answered
