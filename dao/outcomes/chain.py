"""Live-scored epochs as the chain holds them (contracts/OutcomeBoard.vy): read an epoch's live state
and its outcome posts, and post a rows file as the outcome reporter.

`outcome_posts` gives what `valuation.live.select_scoring_rows` needs per post (CID, block, poster,
rows): the rows of a post are the rows of the file at its CID, each posted at the post's block by
the post's poster. Posts an upheld challenge excluded are listed with `excluded=True` and left out
of `scoring_posts`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dao.chain.cids import cid_parts, cid_text
from dao.errors import DaoError

ZERO_ADDRESS = "0x" + "00" * 20


class OutcomeError(DaoError):
    """An outcome post was refused before it reached the chain (role, period, file)."""


@dataclass(frozen=True)
class OutcomePost:
    post_id: int
    cid: str
    block: int
    poster: str
    n_rows: int
    excluded: bool = False


@dataclass(frozen=True)
class LiveState:
    """The live-scoring terms and state of one epoch, as the board holds them."""

    epoch: int
    reporter: str
    reporter_bond: int
    bond_held: int
    resolution_blocks: int
    min_resolved_rows: int
    max_extensions: int
    extensions_used: int
    report_blocks: int
    metamodel_cid: str  # "" before the commitment
    inputs_hash: str
    metamodel_block: int  # 0 before the commitment
    resolution_end: int  # 0 before the commitment
    resolved_rows: int
    posts: tuple[OutcomePost, ...]

    def to_dict(self) -> dict:
        document = asdict(self)
        document["posts"] = [asdict(post) for post in self.posts]
        return document


def _board(dao):
    """The deployment's OutcomeBoard, or None for a deployment made before live epochs existed."""
    if "outcomes" not in dao.deployment.addresses:
        return None
    return dao.outcomes


def outcome_posts(dao, epoch: int) -> list[OutcomePost]:
    """Every outcome post of `epoch`, in posting order (excluded ones flagged)."""
    board = _board(dao)
    if board is None:
        return []
    count = int(board.live_epochs(epoch).post_count)
    posts = []
    for index in range(count):
        post_id = int(board.post_of(epoch, index))
        record = board.posts(post_id)
        posts.append(
            OutcomePost(
                post_id=post_id,
                cid=cid_text(record.rows_codec, record.rows_digest),
                block=int(record.block),
                poster=str(record.poster),
                n_rows=int(record.n_rows),
                excluded=bool(record.excluded),
            )
        )
    return posts


def scoring_posts(dao, epoch: int) -> list[tuple[str, int, str, int]]:
    """(cid, block, poster, n_rows) of the posts that count (no upheld challenge excluded them), the
    input of `valuation.live.select_scoring_rows` once each CID's rows are read."""
    return [(p.cid, p.block, p.poster, p.n_rows) for p in outcome_posts(dao, epoch) if not p.excluded]


def live_state(dao, epoch: int) -> LiveState | None:
    """The live state of `epoch`, or None for a static epoch."""
    board = _board(dao)
    if board is None or not board.is_live(epoch):
        return None
    record = board.live_epochs(epoch)
    return LiveState(
        epoch=epoch,
        reporter=str(record.reporter),
        reporter_bond=int(record.reporter_bond),
        bond_held=int(record.bond_held),
        resolution_blocks=int(record.resolution_blocks),
        min_resolved_rows=int(record.min_resolved_rows),
        max_extensions=int(record.max_extensions),
        extensions_used=int(record.extensions_used),
        report_blocks=int(record.report_blocks),
        metamodel_cid=cid_text(record.metamodel_codec, record.metamodel_digest),
        inputs_hash="0x" + bytes(record.inputs_hash).hex(),
        metamodel_block=int(record.metamodel_block),
        resolution_end=int(record.resolution_end),
        resolved_rows=int(record.resolved_rows),
        posts=tuple(outcome_posts(dao, epoch)),
    )


def count_rows(data: bytes, recipe, name: str = "outcome rows") -> int:
    """The rows of an outcome file: a data set in the epoch's schema (features and the realised
    target), CSV or Parquet, checked as contributions are; `InvalidDataset` lists every problem."""
    from dao.data.datasets import InvalidDataset, load_dataset

    dataset = load_dataset(data, recipe.schema, name)
    if dataset.n_rows == 0:
        raise InvalidDataset(["it has no rows"], name)
    return dataset.n_rows


@dataclass(frozen=True)
class Posted:
    epoch: int
    post_id: int
    cid: str
    n_rows: int
    block: int
    bond: int
    tx_hash: str


def post_outcomes(dao, storage, sender, epoch: int, data: bytes, name: str = "outcome rows") -> Posted:
    """Store an outcome rows file and post its CID for `epoch` as the reporter `sender`.

    Refused before anything is stored or sent, with the reason: a static epoch, a sender who is not
    the epoch's reporter, no metamodel commitment yet, the commitment's own block, a period that is
    over, or a file that is not a data set of the epoch's schema. The bond is attached when the
    board holds none for the epoch.
    """
    from ape import chain
    from eth_utils import keccak

    from dao.chain.reverts import refusals_as_errors
    from dao.data.recipe import Recipe

    state = live_state(dao, epoch)
    if state is None:
        raise OutcomeError(f"epoch {epoch} is not live-scored: it has no outcome rows to post")
    if state.reporter.lower() != str(sender.address).lower():
        raise OutcomeError(
            f"{sender.address} is not the outcome reporter of epoch {epoch} ({state.reporter})"
        )
    if state.metamodel_block == 0:
        raise OutcomeError(
            f"epoch {epoch} has no metamodel commitment yet: rows posted now could be known to the model"
        )
    block = chain.blocks.height + 1  # the block this transaction lands in
    if block <= state.metamodel_block:
        raise OutcomeError(f"rows must follow the metamodel commitment at block {state.metamodel_block}")
    if block > state.resolution_end:
        raise OutcomeError(
            f"epoch {epoch}'s resolution period ended at block {state.resolution_end} (the chain is at "
            f"block {block - 1})"
        )
    record = dao.settlement.epochs(epoch)
    recipe_bytes = storage.get(record.recipe_cid)
    if keccak(recipe_bytes) != bytes(record.params_hash):
        raise OutcomeError(f"the recipe at {record.recipe_cid} does not hash to epoch {epoch}'s params_hash")
    n_rows = count_rows(data, Recipe.from_json(recipe_bytes), name)
    cid = storage.add(data)
    bond = state.reporter_bond if state.bond_held == 0 else 0
    with refusals_as_errors():
        receipt = dao.outcomes.post_outcomes(epoch, *cid_parts(cid), n_rows, value=bond, sender=sender)
    post_id = int(receipt.decode_logs(dao.outcomes.OutcomesPosted)[0].post_id)
    return Posted(epoch, post_id, cid, n_rows, int(receipt.block_number), bond, str(receipt.txn_hash))
