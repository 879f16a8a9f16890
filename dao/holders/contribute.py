"""`dao contribute data|model`: validate an artifact against the open epoch, upload it, register it.

Validation happens before anything is uploaded or staked, against the recipe the open epoch was
opened with, so a contributor never pays a stake for a file the operator would reject.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from dao.chain.cids import cid_parts
from dao.chain.reverts import TransactionRefused, refusals_as_errors
from dao.data.anchor_checks import anchor_problem
from dao.data.datasets import MAX_BYTES, Dataset, load_dataset
from dao.data.encoding import encoded_columns
from dao.data.sealing import SealingError, overhead, seal
from dao.data.specs import read_model_spec
from dao.epoch.valuation import KIND_DATA, KIND_MODEL, EpochError, read_recipe
from dao.errors import DaoError
from dao.storage import ContentNotFound
from valuation.budget import MIN_BUDGET_ROWS, PoolShape, budget_problem
from valuation.specs import InvalidModelSpec

KINDS = {"data": KIND_DATA, "model": KIND_MODEL}


class ContributionRefused(DaoError):
    """The artifact does not fit the open epoch, or the registry would refuse it."""


@dataclass(frozen=True)
class Registered:
    id: int
    cid: str
    epoch: int
    stake: int
    sealed: bool
    tx_hash: str


def check_artifact(kind: str, content: bytes, recipe, anchor: Dataset | None = None) -> str:
    """Validate against the recipe (and the anchor set, when given); returns a one-line summary.
    Raises with every problem named."""
    if kind == "data":
        try:
            dataset = load_dataset(content, recipe.schema, "your data set")
        except DaoError:
            raise
        except Exception as exc:  # whatever a parser trips on is the file's problem, named as such
            raise ContributionRefused(f"your data set cannot be read ({type(exc).__name__})") from None
        problem = anchor_problem(dataset, anchor, recipe.schema) if anchor is not None else None
        if problem:
            raise ContributionRefused(f"your data set would be rejected: {problem}")
        return f"{dataset.n_rows} rows, {len(recipe.schema.features)} features"
    if kind == "model":
        try:
            spec = read_model_spec(content)
        except InvalidModelSpec as exc:
            raise ContributionRefused(f"the model spec is not valid: {exc}") from exc
        if spec.estimator not in recipe.model_allow_list:
            raise ContributionRefused(
                f"{spec.estimator} is not on this epoch's allow-list ({', '.join(recipe.model_allow_list)})"
            )
        if spec.task != recipe.schema.task:
            raise ContributionRefused(
                f"the spec is for {spec.task}; this epoch's task is {recipe.schema.task} "
                f'(set "task": "{recipe.schema.task}")'
            )
        # The pool is known only when the window closes: checked at the smallest pool the per-row
        # cap applies to (the epoch checks its real pool and rejects, stake kept, what is over there).
        problem = budget_problem(spec, _contribution_pool(recipe), recipe.training_budget, recipe.n_folds)
        if problem:
            raise ContributionRefused(
                f"the model spec is over the epoch's training budget on a pool of {MIN_BUDGET_ROWS:,} "
                f"rows: {problem}"
            )
        return f"{spec.estimator} with {len(spec.params)} parameters"
    raise ContributionRefused(f"unknown kind {kind!r}: use data or model")


def _contribution_pool(recipe) -> PoolShape:
    """The pool a spec's training cost is checked at when contributed: `MIN_BUDGET_ROWS` rows of the
    schema's encoded features (a category column is one column per level), every class at least 2."""
    features = len(encoded_columns(recipe.schema))
    return PoolShape(rows=MIN_BUDGET_ROWS, features=features, classes=2)


def _anchor(storage, recipe) -> Dataset | None:
    # A store that lacks the anchor set (another machine's embedded store) skips the anchor
    # checks here; the epoch runs them against it in any case.
    try:
        return load_dataset(storage.get(recipe.anchor_cid), recipe.schema, "anchor set")
    except ContentNotFound:
        return None


def operator_public_key(recipe) -> bytes:
    key = recipe.extra.get("operator_public_key") if recipe.extra else None
    if not key:
        raise ContributionRefused(
            "this epoch's recipe publishes no operator_public_key, so a private data set cannot be "
            "sealed; contribute it publicly or ask governance for a recipe with one"
        )
    try:
        return bytes.fromhex(str(key).removeprefix("0x"))
    except ValueError:
        raise ContributionRefused(
            "this epoch's recipe has an operator_public_key that is not hex; ask governance to fix it"
        ) from None


def sealing_recipients(recipe) -> list[bytes]:
    """Who a private data set is sealed to: the operator, then every auditor the recipe names (so
    that auditors can verify the epoch with their own key)."""
    return [operator_public_key(recipe), *recipe.auditor_keys]


def seal_for_epoch(content: bytes, recipe) -> bytes:
    """A private data set sealed to the recipe's recipients, refused with the reason when it cannot be."""
    recipients = sealing_recipients(recipe)
    # The epoch reads a data set with a bounded read of MAX_BYTES plus a single recipient's
    # overhead; the extra entries of several recipients must fit inside it.
    room = MAX_BYTES + overhead(1) - overhead(len(recipients))
    if len(content) > room:
        raise ContributionRefused(
            f"your data set is {len(content):,} bytes; sealed to {len(recipients)} recipients it must be "
            f"at most {room:,} bytes to fit the epoch's {MAX_BYTES:,}-byte read limit"
        )
    try:
        return seal(content, *recipients)
    except SealingError as exc:
        raise ContributionRefused(f"your data set cannot be sealed to this epoch's keys: {exc}") from exc


def contribute(
    dao, storage, kind: str, content: bytes, stake: int, sender, private: bool = False
) -> Registered:
    """Validate, (seal,) upload and register with `stake` wei for the open epoch."""
    epoch = int(dao.settlement.current_epoch())
    if epoch == 0 or not dao.settlement.contributions_open():
        raise ContributionRefused(
            f"epoch {epoch} is not taking contributions (its window has closed); wait for the next "
            "epoch to open"
        )
    minimum = int(dao.registry.min_stake())
    if stake < minimum:
        raise ContributionRefused(
            f"a stake of {stake / 1e18:g} ETH is below the minimum of {minimum / 1e18:g} ETH"
        )
    try:
        _, recipe = read_recipe(dao, storage, epoch)
    except EpochError as exc:
        raise ContributionRefused(str(exc)) from exc
    check_artifact(kind, content, recipe, _anchor(storage, recipe) if kind == "data" else None)
    if private:
        if kind != "data":
            raise ContributionRefused("only data sets can be private; model specs are public documents")
        content = seal_for_epoch(content, recipe)
    cid = storage.add(content)
    storage.pin(cid)
    receipt = register_contribution(dao.registry, KINDS[kind], cid, stake, sender, epoch=epoch)
    event = next(iter(receipt.decode_logs(dao.registry.ContributionRegistered)), None)
    contribution_id = int(event.id) if event is not None else int(dao.registry.contribution_count())
    return Registered(contribution_id, cid, epoch, stake, private, receipt.txn_hash)


def commitment_hash(contributor: str, kind: int, cid: str, salt: bytes) -> bytes:
    """keccak256(abi_encode(contributor, kind, codec, digest, salt)) of the CID's parts (see
    `dao.chain.cids`), as `ContributionRegistry.commitment_hash` computes it.

    Computed locally rather than by an `eth_call`, so the CID reaches no RPC node before the commitment
    is mined."""
    codec, digest = cid_parts(cid)
    return keccak(
        encode(["address", "uint8", "uint8", "bytes32", "bytes32"], [contributor, kind, codec, digest, salt])
    )


_REVEALED_BLOCK = 2**256 - 1  # `commitments(h).block` once the commitment was revealed


def _standing_commitment(registry, commitment: bytes, epoch: int | None) -> int | None:
    """The epoch of `commitment` if it is made and unrevealed (None when nobody made it). Refuses
    a revealed one, and one bound to another epoch than `epoch` (when given)."""
    record = registry.commitments(commitment)
    if int(record.priority) == 0:
        return None
    if int(record.block) == _REVEALED_BLOCK:
        raise ContributionRefused(
            f"commitment 0x{commitment.hex()} was already revealed: this contribution is registered "
            "(register it again, if you mean to, with a fresh salt)"
        )
    made_in = int(record.epoch)
    if epoch is not None and made_in != epoch:
        raise ContributionRefused(_other_epoch(commitment, made_in, epoch))
    return made_in


def _other_epoch(commitment: bytes, made_in: int, epoch: int | None) -> str:
    now = "the epoch" if epoch is None else f"epoch {epoch},"
    return (
        f"commitment 0x{commitment.hex()} was made in epoch {made_in}, not in {now} whose "
        "contributions are open; a commitment binds the epoch it was made in: register with a fresh "
        "salt (omit the salt to draw one)"
    )


def register_contribution(
    registry, kind: int, cid: str, stake: int, sender, salt: bytes | None = None, epoch: int | None = None
):
    """Commit, then reveal, a registration (two transactions); returns the reveal's receipt.

    The commitment binds the contribution to `sender` before the CID appears in any transaction, so
    a copier of the reveal gains nothing: its own commitment would come later, and priority (who is
    credited for duplicate rows) is commitment order. The reveal must be mined in a later block than
    the commitment: waiting for the commitment's receipt guarantees it.

    A commitment someone else already made with the same hash (a front-runner copying the pending
    `commit_contribution`, or this very call run again) is used as it stands: the hash binds
    `sender`, so only `sender` can reveal it, and the contract accepts the reveal. One bound to
    another epoch than `epoch` (the open one, when given; otherwise the contract says it) or one
    already revealed is refused with the reason."""
    salt = salt if salt is not None else os.urandom(32)
    commitment = commitment_hash(sender.address, kind, cid, salt)
    made_in = _standing_commitment(registry, commitment, epoch)
    if made_in is None:
        try:
            with refusals_as_errors():
                registry.commit_contribution(commitment, sender=sender)
        except TransactionRefused:
            # A copy of this commitment mined first refuses ours ("commitment already made"), and
            # serves just as well; anything else is the refusal to report.
            made_in = _standing_commitment(registry, commitment, epoch)
            if made_in is None:
                raise
    try:
        with refusals_as_errors():
            return registry.register(kind, *cid_parts(cid), salt, value=stake, sender=sender)
    except TransactionRefused as exc:
        if made_in is not None and "commitment is from epoch" in str(exc):
            raise ContributionRefused(_other_epoch(commitment, made_in, None)) from exc
        raise
