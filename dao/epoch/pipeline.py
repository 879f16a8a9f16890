"""`dao epoch run|finalize`: the operator's epoch, resumable at every step.

Run = fetch (recipe, contributions, hold-out) → validate → train → value → publish (report and
the revealed hold-out set on IPFS) → commit on-chain with the bond. Rerunning after a crash at any
step is safe: the report is a pure function of its inputs, so it lands at the same CID; a finished
valuation is kept under its inputs hash (`.dao/reports/`), so a rerun skips straight to what is left;
and the chain is asked before committing, so an epoch is never committed twice.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from dao.chain.cids import cid_parts
from dao.chain.cids import report_cid as report_cid_of
from dao.chain.enums import EpochStatus
from dao.chain.epochs import epoch_status
from dao.chain.reverts import refusals_as_errors
from dao.chain.units import wait_hint
from dao.data.holdout import load_holdout
from dao.epoch.history import gather_history
from dao.epoch.store import cache_dir, metamodel_bytes, metamodel_path, write_atomic
from dao.epoch.valuation import (
    EpochError,
    epoch_inputs,
    read_contributions,
    read_recipe,
    value_epoch,
)
from valuation.report import ValuationReport, canonical_dumps, keccak256

OPEN, COMMITTED, CHALLENGED, FINAL, VOID = (
    EpochStatus.OPEN,
    EpochStatus.COMMITTED,
    EpochStatus.CHALLENGED,
    EpochStatus.FINAL,
    EpochStatus.VOID,
)


@dataclass
class EpochRun:
    epoch: int
    report_cid: str  # "" when a live epoch's step committed no report (see `note`)
    report: ValuationReport | None  # None for a live epoch's metamodel commitment or extension
    committed_now: bool  # False when the chain already had this epoch's report
    resumed: bool = False  # the valuation came from a previous run's saved result
    tx_hash: str | None = None
    stages: dict[str, float] = field(default_factory=dict)
    note: str = ""  # what a live epoch's step did (metamodel committed, period extended, voided)


def _saved_report(
    storage, inputs_hash: bytes, root: Path | None = None
) -> tuple[str, ValuationReport] | None:
    record = cache_dir(root) / f"0x{inputs_hash.hex()}.json"
    if not record.is_file():
        return None
    report_cid = json.loads(record.read_text())["report_cid"]
    if not storage.has(report_cid):
        return None
    report = ValuationReport.from_json(storage.get(report_cid))
    return (report_cid, report) if report.inputs_hash == inputs_hash else None


def _chain_down_errors() -> tuple[type[BaseException], ...]:
    from ape.exceptions import ProviderNotConnectedError
    from requests.exceptions import ConnectionError as RequestsConnectionError

    return (ConnectionError, RequestsConnectionError, ProviderNotConnectedError, TimeoutError)


_CHAIN_DOWN = _chain_down_errors()


def run_epoch(
    dao,
    storage,
    operator,
    epoch: int | None = None,
    validation_csv: bytes | None = None,
    operator_key: bytes | None = None,
    root: Path | None = None,
) -> EpochRun:
    """Value the open epoch and commit its report; resumes a previous run, never commits twice."""
    from ape import chain

    epoch = epoch or int(dao.settlement.current_epoch())
    stages: dict[str, float] = {}
    started = time.perf_counter()
    record = dao.settlement.epochs(epoch)
    status = int(record.status)
    if status in (COMMITTED, CHALLENGED, FINAL):
        committed_cid = report_cid_of(record)
        report = ValuationReport.from_json(storage.get(committed_cid))
        return EpochRun(epoch, committed_cid, report, committed_now=False)
    if status == VOID:
        raise EpochError(
            f"epoch {epoch} was voided (no report by its deadline, or by governance or the guardian): "
            "its stakes are free; the next epoch takes the next report"
        )
    if status != OPEN:
        raise EpochError(
            f"epoch {epoch} has not been opened (governance opens epochs with a retrain proposal)"
        )
    now = chain.pending_timestamp
    if now < record.contributions_close:
        wait = wait_hint(record.contributions_close - now)
        raise EpochError(
            f"epoch {epoch}'s contribution window is still open for {wait}; run the epoch after it closes"
        )
    recipe_cid, recipe = read_recipe(dao, storage, epoch)
    # A live epoch's deadlines are the board's, in blocks (checked in `_live_step`).
    state = checked_live_state(dao, epoch, recipe)
    if state is None and now >= record.commit_deadline:
        raise EpochError(
            f"epoch {epoch}'s commit deadline has passed: no report can be committed any more and "
            "anyone may void the epoch (settlement.void_epoch)"
        )
    contributions = read_contributions(dao, epoch)
    history = gather_history(dao, storage, epoch)
    if validation_csv is None:
        validation_csv = load_holdout(recipe.validation_commitment, root)
    # The hold-out set is revealed with the report: its CID is part of the inputs.
    validation_cid = storage.add(validation_csv)
    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid, history)
    value = value_epoch
    if state is not None:
        step = _live_step(
            dao,
            storage,
            operator,
            epoch,
            state,
            recipe_cid,
            recipe,
            contributions,
            validation_cid,
            operator_key,
            history,
            root,
        )
        if isinstance(step, EpochRun):
            return step
        inputs["live"], value = step
    inputs_hash = keccak256(canonical_dumps(inputs))
    stages["fetch"] = time.perf_counter() - started

    saved = _saved_report(storage, inputs_hash, root)
    resumed = saved is not None
    if saved is None:
        valuation = value(
            storage,
            epoch,
            recipe_cid,
            recipe,
            contributions,
            validation_csv,
            operator_key=operator_key,
            validation_cid=validation_cid,
            stages=stages,
            history=history,
        )
        report = valuation.report
        if report.inputs_hash != inputs_hash:
            raise EpochError("the report's inputs changed while it was computed; run the epoch again")
        publish_started = time.perf_counter()
        report_cid = storage.add(report.to_json())
        storage.pin(report_cid)
        storage.pin(validation_cid)
        # Later epochs compare their rows with these data sets (provenance): the operator keeps them.
        for contribution in valuation.accepted_data:
            storage.pin(contribution.cid)
        # Atomic, like every file here; `rebuild_metamodel` writes the same bytes from the inputs.
        write_atomic(metamodel_path(inputs_hash, root), metamodel_bytes(valuation.metamodel))
        write_atomic(
            cache_dir(root) / f"0x{inputs_hash.hex()}.json",
            json.dumps({"epoch": epoch, "report_cid": report_cid}).encode(),
        )
        stages["publish"] = time.perf_counter() - publish_started
    else:
        report_cid, report = saved

    commit_started = time.perf_counter()
    # Ask the chain again right before sending: another run may have committed meanwhile.
    if epoch_status(dao, epoch) != OPEN:
        return EpochRun(
            epoch, report_cid_of(dao.settlement.epochs(epoch)), report, False, resumed, None, stages
        )
    try:
        with refusals_as_errors():
            receipt = dao.settlement.commit(
                epoch,
                *cid_parts(report_cid),
                report.inputs_hash,
                bytes.fromhex(report.mint_root[2:]),
                report.total_mint,
                bytes.fromhex(report.slash_root[2:]),
                value=dao.settlement.operator_bond(),
                sender=operator,
            )
    except _CHAIN_DOWN as exc:
        raise EpochError(
            f"the chain stopped answering while epoch {epoch}'s report was being committed ({exc}); "
            f"the report is published at {report_cid} and kept locally: run the epoch again when the "
            "node is back, it resumes there and never commits twice"
        ) from exc
    stages["commit"] = time.perf_counter() - commit_started
    return EpochRun(epoch, report_cid, report, True, resumed, receipt.txn_hash, stages)


def checked_live_state(dao, epoch: int, recipe):
    """The board's live state of `epoch` (None for a static epoch), once the recipe and the board
    agree on the mode and on every live term; refused otherwise, before anything is sent: the
    board's terms are what the chain enforces, the recipe's what contributors read and the valuation
    applies, so a difference would value the epoch under rules nobody agreed to."""
    from dao.outcomes.chain import live_state

    state = live_state(dao, epoch)
    terms = recipe.live_scoring
    if terms is None and state is None:
        return None
    if terms is None:
        raise EpochError(
            f"epoch {epoch} is live-scored on the outcome board but its recipe says scoring static: "
            "nothing was sent; the epoch cannot be valued until governance fixes the recipe"
        )
    if state is None:
        raise EpochError(
            f"epoch {epoch}'s recipe says scoring live but the epoch was not opened live on the outcome "
            "board (OutcomeBoard.open_live_epoch): nothing was sent"
        )
    recipe_terms = {
        "outcome_reporter": terms.outcome_reporter.lower(),
        "resolution_blocks": terms.resolution_blocks,
        "min_resolved_rows": terms.min_resolved_rows,
        "max_extensions": terms.max_extensions,
    }
    board_terms = {
        "outcome_reporter": state.reporter.lower(),
        "resolution_blocks": state.resolution_blocks,
        "min_resolved_rows": state.min_resolved_rows,
        "max_extensions": state.max_extensions,
    }
    differences = [
        f"{name}: recipe {recipe_terms[name]}, board {board_terms[name]}"
        for name in recipe_terms
        if recipe_terms[name] != board_terms[name]
    ]
    if differences:
        raise EpochError(
            f"epoch {epoch}'s recipe and the outcome board disagree on its live terms ("
            + "; ".join(differences)
            + "): nothing was sent"
        )
    return state


def _blocks_hint(blocks: int) -> str:
    """How many blocks to wait, and how to mine them on a local node (its blocks come only when told)."""
    return f"{blocks} blocks (on a local node: `dao node mine --blocks {blocks}`)"


def _live_step(
    dao,
    storage,
    operator,
    epoch: int,
    state,
    recipe_cid: str,
    recipe,
    contributions,
    validation_cid: str,
    operator_key: bytes | None,
    history,
    root: Path | None,
):
    """The step a live epoch is at: commit the metamodel, wait for the period's end, extend it, void
    the epoch, or value it. Returns an EpochRun when the step ends the run here; otherwise the
    report's `inputs.live` and the valuation to run (what `run_epoch` then publishes and commits)."""
    from ape import chain

    from dao.epoch.live import (
        MetamodelCommitment,
        OutcomePost,
        commitment_inputs_hash,
        prepare_commitment,
        value_live_epoch,
    )
    from dao.outcomes.chain import scoring_posts
    from valuation.live import Resolution

    board = dao.outcomes
    if state.metamodel_block == 0:
        deadline = int(board.live_epochs(epoch).metamodel_deadline)
        if chain.pending_timestamp >= deadline:
            raise EpochError(
                f"epoch {epoch}'s metamodel deadline has passed without a commitment: anyone may void "
                "the epoch (settlement.void_epoch); nothing was sent"
            )
        prepared, inputs_hash = prepare_commitment(
            storage, recipe_cid, recipe, contributions, validation_cid, operator_key, history
        )
        data = metamodel_bytes(prepared.metamodel)
        write_atomic(metamodel_path(bytes.fromhex(inputs_hash[2:]), root), data)
        model_cid = storage.add(data)
        storage.pin(model_cid)
        with refusals_as_errors():
            receipt = board.commit_metamodel(
                epoch, *cid_parts(model_cid), bytes.fromhex(inputs_hash[2:]), sender=operator
            )
        block = int(receipt.block_number)
        end = block + state.resolution_blocks
        note = (
            f"epoch {epoch}: metamodel committed at block {block}; outcome rows are accepted until "
            f"block {end} (metamodel {model_cid}, inputs hash {inputs_hash})"
        )
        return EpochRun(epoch, "", None, False, tx_hash=str(receipt.txn_hash), note=note)

    next_block = chain.blocks.height + 1  # the block a transaction sent now lands in
    end = state.resolution_end
    if next_block <= end:
        raise EpochError(
            f"epoch {epoch}'s resolution period ends at block {end}: {_blocks_hint(end - next_block + 1)} "
            "remain before it can be valued; run the epoch again then"
        )
    short = state.resolved_rows < state.min_resolved_rows
    late = next_block > end + state.report_blocks
    if short and not late and state.extensions_used < state.max_extensions:
        with refusals_as_errors():
            receipt = board.extend_resolution(epoch, sender=operator)
        new_end = int(board.live_epochs(epoch).resolution_end)
        note = (
            f"epoch {epoch}: {state.resolved_rows} of {state.min_resolved_rows} outcome rows resolved by "
            f"block {end}; resolution period extended ({state.extensions_used + 1} of "
            f"{state.max_extensions}): outcome rows are accepted until block {new_end}"
        )
        return EpochRun(epoch, "", None, False, tx_hash=str(receipt.txn_hash), note=note)
    if bool(board.voidable(epoch)):
        with refusals_as_errors():
            receipt = dao.settlement.void_epoch(epoch, sender=operator)
        why = (
            f"no report by the report deadline, block {end + state.report_blocks}"
            if late
            else f"{state.resolved_rows} of {state.min_resolved_rows} outcome rows resolved with no "
            "extension left"
        )
        note = f"epoch {epoch}: void is the outcome ({why}); epoch voided, its stakes are withdrawable"
        return EpochRun(epoch, "", None, False, tx_hash=str(receipt.txn_hash), note=note)

    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid, history)
    if commitment_inputs_hash(inputs) != state.inputs_hash:
        raise EpochError(
            f"epoch {epoch}'s inputs here hash to {commitment_inputs_hash(inputs)}, not to the "
            f"{state.inputs_hash} its metamodel was committed with (another hold-out set, contributions "
            "or library versions): nothing was committed"
        )
    posts = [OutcomePost(*post) for post in scoring_posts(dao, epoch)]
    commitment = MetamodelCommitment(state.metamodel_block, state.metamodel_cid, state.inputs_hash)
    live_inputs = {
        "commitment": commitment.to_dict(),
        "period_end_block": end,
        "extensions_used": state.extensions_used,
        "posts": [post.to_dict() for post in posts],
    }

    def value(storage, epoch, recipe_cid, recipe, contributions, validation_csv, **options):
        result = value_live_epoch(
            storage,
            epoch,
            recipe_cid,
            recipe,
            contributions,
            validation_csv,
            posts,
            commitment,
            end,
            state.extensions_used,
            **options,
        )
        if result.outcome.action is not Resolution.VALUE:
            # The board counts declared rows; the valuation refuses rows it cannot use. Only a
            # challenge of the bad posts (excluding them) or the report deadline (void) moves on.
            refused = "; ".join(
                f"row {i}: {why}" for i, why in list(result.section["refused_rows"].items())[:5]
            ) or "; ".join(f"post {i}: {why}" for i, why in result.section["refused_posts"].items())
            raise EpochError(
                f"epoch {epoch}: only {result.section['accepted_rows']} of the posted outcome rows can "
                f"score it ({state.min_resolved_rows} needed): {refused}. Nothing was committed; "
                "challenge the bad posts (OutcomeBoard.challenge_post) or let the epoch be voided after "
                f"block {end + state.report_blocks}"
            )
        return result.valuation

    return live_inputs, value


@dataclass(frozen=True)
class RebuiltMetamodel:
    epoch: int
    report_cid: str
    path: Path
    sha256: str


def rebuild_metamodel(
    dao, storage, epoch: int, operator_key: bytes | None = None, root: Path | None = None
) -> RebuiltMetamodel:
    """Recreate a committed epoch's metamodel file from the epoch's inputs: the registry's
    contributions, the recipe and the hold-out set revealed with the report.

    Training is deterministic, so the file is byte-identical to the one the run wrote, provided the
    inputs are the ones the report commits to (the same library versions among them: they are part
    of the inputs hash) and the recomputation accepts and rejects the same contributions.
    """
    committed_cid = report_cid_of(dao.settlement.epochs(epoch))
    if not committed_cid:
        raise EpochError(f"epoch {epoch} has no committed report, hence no metamodel to rebuild")
    committed = ValuationReport.from_json(storage.get(committed_cid))
    recipe_cid, recipe = read_recipe(dao, storage, epoch)
    contributions = read_contributions(dao, epoch)
    validation_cid = committed.inputs.get("validation_cid")
    if not validation_cid:
        raise EpochError(f"epoch {epoch}'s report does not reveal its hold-out set: it cannot be rebuilt")
    history = gather_history(dao, storage, epoch)  # the same earlier sources the run compared with
    inputs = epoch_inputs(recipe_cid, recipe, contributions, validation_cid, history)
    value = value_epoch
    if recipe.live_scoring is not None:
        # A live report names its commitment and posts: the valuation reads those very posts.
        live = committed.inputs.get("live")
        if not isinstance(live, dict):
            raise EpochError(f"epoch {epoch}'s report does not name its live commitment and posts")
        inputs["live"] = live
        value = _live_rebuild(live)
    if keccak256(canonical_dumps(inputs)) != committed.inputs_hash:
        versions = committed.inputs.get("versions")
        raise EpochError(
            f"epoch {epoch}'s inputs here do not hash to its report's inputs_hash (library versions "
            f"here {inputs['versions']}, in the report {versions}): install the report's versions and "
            "rebuild again; nothing was written"
        )
    valuation = value(
        storage,
        epoch,
        recipe_cid,
        recipe,
        contributions,
        storage.get(validation_cid),
        operator_key=operator_key,
        validation_cid=validation_cid,
        history=history,
    )
    if valuation.report.rejected != committed.rejected:
        raise EpochError(
            f"rebuilding epoch {epoch} accepted other contributions than its report (rejected here "
            f"{sorted(valuation.report.rejected)}, in the report {sorted(committed.rejected)}): "
            "an artifact is missing from this storage or the operator key differs; nothing was written"
        )
    data = metamodel_bytes(valuation.metamodel)
    path = metamodel_path(committed.inputs_hash, root)
    write_atomic(path, data)
    return RebuiltMetamodel(epoch, committed_cid, path, hashlib.sha256(data).hexdigest())


def _live_rebuild(live: dict):
    """The valuation of a live epoch's rebuild: `value_live_epoch` on the commitment and posts the
    committed report names (its inputs hash, checked by the caller, covers them)."""
    from dao.epoch.live import value_named_live_inputs

    def value(storage, epoch, recipe_cid, recipe, contributions, validation_csv, **options):
        result = value_named_live_inputs(
            storage, epoch, recipe_cid, recipe, contributions, validation_csv, live, **options
        )
        if result.valuation is None:
            raise EpochError(
                f"epoch {epoch}'s posts no longer value it ({result.outcome.reason}); nothing was written"
            )
        return result.valuation

    return value


def finalize_epoch(dao, sender, epoch: int | None = None) -> str | None:
    """Finalize a committed epoch after its challenge window; None if it already is final."""
    from ape import chain

    epoch = epoch or int(dao.settlement.current_epoch())
    record = dao.settlement.epochs(epoch)
    status = int(record.status)
    if status == FINAL:
        return None
    if status == CHALLENGED:
        raise EpochError(
            f"epoch {epoch} is challenged: governance (ape run propose resolve-challenge) or the guardian "
            f"must resolve each pending challenge before it can finalize; unresolved at "
            f"{int(record.resolve_by)}, anyone may void the epoch"
        )
    if status == VOID:
        raise EpochError(f"epoch {epoch} was voided: there is no report to finalize")
    if status != COMMITTED:
        state = EpochStatus(status).label
        raise EpochError(f"epoch {epoch} is {state}: there is no report to finalize")
    ends = record.committed_at + dao.settlement.challenge_window()
    if chain.pending_timestamp < ends:
        wait = wait_hint(ends - chain.pending_timestamp)
        raise EpochError(f"epoch {epoch}'s challenge window is open for another {wait}")
    with refusals_as_errors():
        receipt = dao.settlement.finalize(epoch, sender=sender)
    return receipt.txn_hash


def execute_slashes(dao, storage, sender, epoch: int) -> list[tuple[int, int]]:
    """Execute every slash of a final epoch's report that has not been executed yet."""
    from valuation.merkle import encode_uint_uint, leaf_hash, slash_tree

    if epoch_status(dao, epoch) != FINAL:
        raise EpochError(f"epoch {epoch} is not final: slashes execute only after the challenge window")
    report = ValuationReport.from_json(storage.get(report_cid_of(dao.settlement.epochs(epoch))))
    slashes = sorted((int(k), int(v)) for k, v in report.slashes.items())
    tree = slash_tree(slashes)
    done = []
    for index, (contribution_id, amount) in enumerate(slashes):
        if dao.settlement.leaf_used(epoch, leaf_hash(encode_uint_uint(contribution_id, amount))):
            continue
        with refusals_as_errors():
            dao.settlement.execute_slash(epoch, contribution_id, amount, tree.proof(index), sender=sender)
        done.append((contribution_id, amount))
    return done
