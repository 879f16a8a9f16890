"""Live-scored epochs as the chain holds them (contracts/OutcomeBoard.vy): read an epoch's live state
and its outcome posts, and post a rows file as the outcome reporter.

`outcome_posts` gives what `valuation.live.select_scoring_rows` needs per post (CID, block, poster,
rows): the rows of a post are the rows of the file at its CID, each posted at the post's block by
the post's poster. Posts an upheld challenge excluded are listed with `excluded=True` and left out
of `scoring_posts`.

`live_state_at` gives the board as it stood at an earlier point of the chain (a report's commit):
the board keeps changing after a report is committed (a post challenge may be upheld until the
epoch is settled, a period then short of rows extended, new rows posted), and a report is judged
against what the board held when it was committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

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


def is_live_on_board(dao, epoch: int) -> bool:
    """Whether the deployment's outcome board opened `epoch` live (False without a board)."""
    board = _board(dao)
    return board is not None and bool(board.is_live(epoch))


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


# Where a log sits in the chain's total order: (block, transaction index, log index).
LogPosition = tuple[int, int, int]


def log_position(log) -> LogPosition:
    """The position of an ape `ContractLog` in the chain's order."""
    return (int(log.block_number), int(log.transaction_index or 0), int(log.log_index))


@dataclass(frozen=True)
class BoardChange:
    """One board event after the metamodel commitment that changes what a report is judged on.

    kind: "posted" (post_id, bond), "extended" (new_end, extensions_used), "upheld" (post_id: an
    upheld post challenge excluded it; the reporter's held bond was lost) or "released" (the
    reporter's bond was returned)."""

    position: LogPosition
    kind: str
    post_id: int = 0
    bond: int = 0
    new_end: int = 0
    extensions_used: int = 0


def replay_live_state(current: LiveState, changes: Iterable[BoardChange], at: LogPosition) -> LiveState:
    """The live state `current` (the board now) as it stood just before position `at`: the changes
    logged before `at` replayed, in chain order, from the state the metamodel commitment left.

    What a board record never changes (the terms, the commitment once made, each post's CID, block,
    poster and row count) is taken from `current`; what changes (which posts exist and which an
    upheld challenge had excluded, the period's end, the extensions used, the rows counted, the
    reporter's held bond) comes from the events alone."""
    if current.metamodel_block == 0 or current.metamodel_block > at[0]:
        # No commitment yet at `at` (a report cannot be committed then: `check_report` needs one).
        return replace(
            current,
            metamodel_cid="",
            inputs_hash="0x" + "00" * 32,
            metamodel_block=0,
            resolution_end=0,
            extensions_used=0,
            resolved_rows=0,
            bond_held=0,
            posts=(),
        )
    by_id = {post.post_id: post for post in current.posts}
    posts: dict[int, OutcomePost] = {}
    end, used, bond = current.metamodel_block + current.resolution_blocks, 0, 0
    for change in sorted(changes, key=lambda c: c.position):
        if change.position >= at:
            break
        if change.kind == "posted":
            posts[change.post_id] = replace(by_id[change.post_id], excluded=False)
            if change.bond:
                bond = change.bond
        elif change.kind == "upheld":
            if change.post_id in posts:
                posts[change.post_id] = replace(posts[change.post_id], excluded=True)
            bond = 0
        elif change.kind == "extended":
            end, used = change.new_end, change.extensions_used
        elif change.kind == "released":
            bond = 0
        else:
            raise ValueError(f"unknown board change {change.kind!r}")
    kept = tuple(sorted(posts.values(), key=lambda p: p.post_id))  # ids grow in posting order
    return replace(
        current,
        resolution_end=end,
        extensions_used=used,
        resolved_rows=sum(p.n_rows for p in kept if not p.excluded),
        bond_held=bond,
        posts=kept,
    )


def board_changes(dao, epoch: int, until_block: int) -> list[BoardChange]:
    """The board's events of `epoch` up to block `until_block` (included), as `BoardChange`s."""
    board = _board(dao)
    if board is None:
        return []
    # Every event of an epoch follows its metamodel commitment (posts after it, extensions after
    # the period, verdicts after posts): reading from there, not the deployment, keeps the query
    # short (the in-process chain decodes each block of the span).
    committed_at = int(board.live_epochs(epoch).metamodel_block)
    if committed_at == 0:
        return []
    span = (committed_at, until_block + 1)  # `range` stops before its second bound
    topic = {"epoch": epoch}
    changes = [
        BoardChange(log_position(log), "posted", post_id=int(log.post_id), bond=int(log.bond))
        for log in board.OutcomesPosted.range(*span, search_topics=topic)
    ]
    changes += [
        BoardChange(
            log_position(log), "extended", new_end=int(log.new_end), extensions_used=int(log.extensions_used)
        )
        for log in board.ResolutionExtended.range(*span, search_topics=topic)
    ]
    changes += [
        BoardChange(log_position(log), "released")
        for log in board.ReporterBondReleased.range(*span, search_topics=topic)
    ]
    # A verdict names its post, not its epoch: keep the upheld verdicts on this epoch's posts.
    ours = {change.post_id for change in changes if change.kind == "posted"}
    changes += [
        BoardChange(log_position(log), "upheld", post_id=int(log.post_id))
        for log in board.PostChallengeResolved.range(*span)
        if log.upheld and int(log.post_id) in ours
    ]
    return changes


def live_state_at(dao, epoch: int, at: LogPosition) -> LiveState | None:
    """The live state of `epoch` just before chain position `at` (e.g. the log of the report's
    `EpochCommitted`), or None for a static epoch.

    Rebuilt from the board's events rather than read with `block_id=`: events are served by any
    node, where old state needs an archive node, and they order changes within a block (a view at
    block B would include everything after the commit in B)."""
    current = live_state(dao, epoch)
    if current is None:
        return None
    return replay_live_state(current, board_changes(dao, epoch, at[0]), at)


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
