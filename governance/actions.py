"""Propose, vote, queue, execute, cancel and challenge, with every refusal said as a sentence.

Each function sends one transaction and returns a `TxOutcome` (the transaction hash and what
changed). When the chain refuses, the revert reason ("governor: vote already cast") is turned into
a `GovernanceRefused` that explains it with the numbers involved ("you have 10 shares of voting
power; proposing needs 100"), never a trace. Queue, execute and cancel need the proposal's actions:
they are recovered from its `ProposalCreated` event, so callers give only the id.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dao.chain.bindings import DAO
from dao.chain.enums import EpochStatus
from dao.chain.reverts import explain, revert_reason
from dao.chain.units import exact_amount as format_shares
from dao.chain.units import exact_eth as format_ether
from dao.data.recipe import Recipe
from dao.errors import DaoError
from governance import builders
from governance.builders import InvalidProposal, ProposalDraft
from governance.proposals import (
    ACTIVE,
    CANCELED,
    DEFEATED,
    EXECUTED,
    EXPIRED,
    PENDING,
    QUEUED,
    SUCCEEDED,
    ProposalView,
    format_time,
    proposal,
    resolve_id,
)

SUPPORT = {"against": 0, "for": 1, "abstain": 2}
SUPPORT_NAMES = {value: name for name, value in SUPPORT.items()}
# Governor/Timelock bookkeeping events: not "what changed" for the people who asked for the actions.
_BOOKKEEPING = {"ProposalExecuted", "CallExecuted", "CallScheduled", "ProposalQueued"}


class GovernanceRefused(DaoError):
    """The chain refused a governance transaction; the message says why and what to do."""


@dataclass(frozen=True)
class TxOutcome:
    """One sent transaction: what it was, its hash, and what changed on-chain, in words."""

    action: str  # proposed | voted | queued | executed | canceled | challenged
    tx_hash: str
    block: int
    sender: str
    changes: tuple[str, ...]
    proposal_id: int | None = None
    extra: tuple[tuple[str, str], ...] = ()  # machine-readable facts (cid, epoch, ...) for --json

    def lines(self) -> list[str]:
        return [f"{self.action}: transaction {self.tx_hash} (block {self.block})"] + [
            f"  {change}" for change in self.changes
        ]

    def to_json(self) -> dict:
        document = {
            "action": self.action,
            "tx_hash": self.tx_hash,
            "block": self.block,
            "sender": self.sender,
            "proposal_id": None if self.proposal_id is None else str(self.proposal_id),
            "changes": list(self.changes),
        }
        document.update(dict(self.extra))
        return document


def _address(account) -> str:
    return getattr(account, "address", account)


def _tx_hash(receipt) -> str:
    value = receipt.txn_hash
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    value = str(value)
    return value if value.startswith("0x") else "0x" + value


def _no_traceback_noise(record) -> bool:
    """Drop ape's "Problem retrieving traceback" log: a refusal is said as a sentence instead."""
    return "Problem retrieving traceback" not in record.getMessage()


def _transact(send: Callable, sentence: Callable[[str], str | None]):
    """Run `send()`; a revert becomes `GovernanceRefused(sentence(reason) or the contract's words)`."""
    from ape.exceptions import ApeException, VirtualMachineError
    from ape.logging import logger

    logger._logger.addFilter(_no_traceback_noise)
    try:
        return send()
    except VirtualMachineError as exc:  # a revert (hardhat's come as the base class)
        reason = revert_reason(exc)
        message = (sentence(reason) if reason else None) or explain(exc, reason)
        raise GovernanceRefused(message) from exc
    except ApeException as exc:  # not a revert: funds, signing, connection
        raise GovernanceRefused(f"the transaction was not sent: {exc}") from exc
    finally:
        logger._logger.removeFilter(_no_traceback_noise)


# -- sentences ----------------------------------------------------------------------------------


def _state_sentence(view: ProposalView) -> str:
    """Where a proposal stands, for refusals that depend on it."""
    if view.state == PENDING:
        return (
            f"voting has not started: it opens after block {view.snapshot} "
            f"(the chain is at block {view.block})"
        )
    if view.state == ACTIVE:
        return (
            f"voting is still open until block {view.deadline} (the chain is at block {view.block}); "
            "queue it once voting has closed"
        )
    if view.state == DEFEATED:
        if view.votes_for <= view.votes_against:
            why = "it did not get more votes for than against"
        else:
            why = "it did not reach the quorum"
        return f"the proposal was defeated: {why} ({view.tally_text()})"
    if view.state == SUCCEEDED:
        return "the proposal passed but is not queued yet: queue it first (`ape run queue ID`)"
    if view.state == QUEUED:
        return f"the proposal is already queued; it can execute from {format_time(view.eta)}"
    if view.state == EXPIRED:
        return "the proposal expired: it was not executed within the grace period after its eta"
    if view.state == EXECUTED:
        return "the proposal has already been executed"
    if view.state == CANCELED:
        return "the proposal was canceled"
    return f"the proposal is {view.state}"


def _view_or_none(dao: DAO, proposal_id: int | None) -> ProposalView | None:
    if proposal_id is None:
        return None
    try:
        return proposal(dao, proposal_id)
    except DaoError:
        return None


def _governor_sentence(dao: DAO, why: str, sender, proposal_id: int | None) -> str | None:
    who = _address(sender)
    view = _view_or_none(dao, proposal_id)
    if why == "proposer votes below threshold":
        votes = int(dao.shares.getVotes(who))
        balance = int(dao.shares.balanceOf(who))
        threshold = int(dao.governor.proposalThreshold())
        sentence = (
            f"you have {format_shares(votes)} shares of voting power; proposing needs "
            f"{format_shares(threshold)}"
        )
        if balance > votes:
            sentence += (
                f" (you hold {format_shares(balance)} shares: delegate them to yourself, e.g. "
                "dao.delegate(account) in `ape console`, and propose from the next block)"
            )
        return sentence
    if why == "proposer has a live proposal":
        live = int(dao.governor.latest_proposal_id(who))
        live_view = _view_or_none(dao, live)
        state = f" ({live_view.state}, voting closes at block {live_view.deadline})" if live_view else ""
        return (
            f"you already have a live proposal {live}{state}: one live proposal per proposer; "
            "propose again once it has closed or been canceled"
        )
    if why == "proposal already exists":
        return (
            "an identical proposal (same actions and description) already exists"
            + (f" and is {view.state}" if view else "")
            + ": change its description (--note) to propose the same actions again"
        )
    if why == "empty proposal":
        return "a proposal needs at least one action"
    if why == "invalid proposal length":
        return "targets, values and calldatas must have the same length"
    if why == "unknown proposal":
        return f"there is no proposal {proposal_id} on this deployment (`ape run proposals` lists them)"
    if why == "vote not currently active":
        if view is None:
            return "voting on this proposal is not open"
        if view.state == PENDING or (view.state == ACTIVE and view.block <= view.snapshot):
            return (
                f"voting has not started: it opens after block {view.snapshot} "
                f"(the chain is at block {view.block}); vote once that block is mined"
            )
        if view.state in (CANCELED, EXECUTED):
            return f"voting is closed: the proposal is {view.state.lower()}"
        return (
            f"voting closed at block {view.deadline} (the chain is at block {view.block}); "
            f"the proposal is {view.state.lower()}"
        )
    if why == "invalid vote type":
        return "a vote is for, against or abstain"
    if why == "vote already cast":
        return f"{who} has already voted on this proposal (a vote cannot be changed)"
    if why == "no voting power at the snapshot":
        snapshot = f" (block {view.snapshot})" if view else ""
        return (
            f"{who} had no voting power at the proposal's snapshot{snapshot}: only shares held and "
            "delegated before the snapshot count"
        )
    if why == "proposal not successful":
        return f"the proposal cannot be queued: {_state_sentence(view)}" if view else None
    if why == "timelock not ready":
        if view is None or not view.eta:
            return "the timelock delay has not passed yet"
        wait = max(view.eta - view.timestamp, 0)
        return (
            f"the timelock delay has not passed: the proposal can execute from {format_time(view.eta)} "
            f"(in {wait} s)"
        )
    if why == "proposal not queued":
        return f"the proposal cannot be executed: {_state_sentence(view)}" if view else None
    if why == "proposal expired":
        return "the proposal expired: it was not executed within the grace period after its eta"
    if why == "proposer restricted by the description":
        return (
            "the description ends in `#proposer=<address>` naming another account: only that account "
            "may propose it (build the proposal again to propose it yourself)"
        )
    if why == "only the proposer or the guardian may cancel":
        proposer = f" ({view.proposer})" if view else ""
        return (
            f"only the proposer{proposer} may cancel a proposal (before voting opens), or the bootstrap "
            "guardian while its period lasts"
        )
    if why == "proposal already closed":
        state = f"; it is {view.state.lower()}" if view else ""
        return f"the proposal can no longer be canceled{state}"
    if why == "too late to cancel":
        state = f"; it is {view.state.lower()}" if view else ""
        return f"a proposal can be canceled only before voting opens{state}"
    return None


def _settlement_sentence(dao: DAO, why: str, sender, epoch: int | None) -> str | None:
    record = dao.settlement.epochs(epoch) if epoch is not None else None
    if why == "nothing to challenge" and record is not None:
        status = EpochStatus(int(record.status)).label
        return f"epoch {epoch} has no committed report to challenge (the epoch is {status})"
    if why == "challenge window closed" and record is not None:
        closed = int(record.committed_at) + int(dao.settlement.challenge_window())
        return f"the challenge window of epoch {epoch} closed at {format_time(closed)}"
    if why == "wrong challenge bond":
        return f"a challenge needs a bond of exactly {format_ether(int(dao.settlement.challenge_bond()))}"
    return None


def _sentence_for(
    dao: DAO, sender, proposal_id: int | None = None, epoch: int | None = None, executing: bool = False
):
    def sentence(reason: str) -> str | None:
        contract, why = reason.split(": ", 1)
        if contract == "governor":
            return _governor_sentence(dao, why, sender, proposal_id)
        if contract == "settlement":
            specific = _settlement_sentence(dao, why, sender, epoch)
            if specific:
                return specific
        if executing:
            # A revert inside an executed action bubbles up through the Timelock.
            return f"an action of the proposal failed: the {contract} contract refused: {why}"
        return None

    return sentence


# -- what changed -------------------------------------------------------------------------------


def _event_sentence(dao: DAO, log) -> str | None:
    name = str(log.event_name)
    contract = dao.deployment.name_of(log.contract_address)
    if contract in (None, "governor", "timelock") or name in _BOOKKEEPING or name.startswith("Unknown"):
        return None  # governance's own bookkeeping, or a log ape could not decode
    args = dict(log.event_arguments)
    if name == "EpochOpened":
        return (
            f"epoch {args['epoch']} opened with recipe {args['recipe_cid']} "
            f"(contributions close at {format_time(int(args['contributions_close']))})"
        )
    if name == "PolicyChanged":
        return (
            f"policy now: emission {format_shares(int(args['emission']))} shares, data pool "
            f"{int(args['data_pool_bps']) / 100:g}%, slash cap {int(args['slash_cap_bps']) / 100:g}%"
        )
    if name == "ChallengeResolved":
        verdict = "upheld: the report is void" if args["upheld"] else "rejected: its bond goes to holders"
        return f"challenge {args['challenge_id']} of epoch {args['epoch']} was {verdict}"
    rendered = ", ".join(
        f"{key}={'0x' + bytes(value).hex() if isinstance(value, bytes | bytearray) else value}"
        for key, value in args.items()
    )
    return f"{contract}: {name}({rendered})"


def _changes_from_events(dao: DAO, receipt) -> list[str]:
    try:
        logs = list(receipt.events)
    except Exception:  # noqa: BLE001 - undecodable logs: say nothing rather than fail after success
        return []
    return [sentence for log in logs if (sentence := _event_sentence(dao, log))]


# -- the actions ----------------------------------------------------------------------------------


def propose(dao: DAO, draft: ProposalDraft, sender) -> TxOutcome:
    """Submit a built proposal bound to `sender` (`#proposer=` suffix: a copy cannot take its id).

    Its id is OpenZeppelin's hash of its actions and (suffixed) description.
    """
    governor = dao.governor
    draft = draft.for_proposer(_address(sender))
    proposal_id = draft.proposal_id
    receipt = _transact(
        lambda: governor.propose(
            draft.targets, draft.values, draft.calldatas, draft.description, sender=sender
        ),
        _sentence_for(dao, sender, proposal_id),
    )
    view = proposal(dao, proposal_id)
    changes = [
        f"proposal {proposal_id} created by {_address(sender)}: {draft.title}",
        *(f"action {i + 1}: {action.text}" for i, action in enumerate(view.actions)),
        f"voting opens after block {view.snapshot} and closes at block {view.deadline} "
        f"(the chain is at block {view.block})",
    ]
    return TxOutcome(
        "proposed",
        _tx_hash(receipt),
        int(receipt.block_number),
        _address(sender),
        tuple(changes),
        proposal_id,
    )


def support_value(support: str | int) -> int:
    """for / against / abstain (or 1 / 0 / 2) as the Governor's support code."""
    if isinstance(support, int) and not isinstance(support, bool) and support in SUPPORT_NAMES:
        return support
    key = str(support).strip().lower()
    if key in SUPPORT:
        return SUPPORT[key]
    raise InvalidProposal(f"a vote is for, against or abstain, not {support!r}")


def vote(dao: DAO, proposal_id: int | str, support: str | int, sender, reason: str = "") -> TxOutcome:
    """Vote for, against or abstain with the voting power held at the proposal's snapshot."""
    code = support_value(support)
    pid = resolve_id(dao, proposal_id)
    governor = dao.governor
    if reason:
        send = lambda: governor.castVoteWithReason(pid, code, reason, sender=sender)  # noqa: E731
    else:
        send = lambda: governor.castVote(pid, code, sender=sender)  # noqa: E731
    receipt = _transact(send, _sentence_for(dao, sender, pid))
    cast = list(governor.VoteCast.from_receipt(receipt))
    weight = int(cast[0].weight) if cast else 0
    view = proposal(dao, pid)
    changes = [
        f"{_address(sender)} voted {SUPPORT_NAMES[code]} on proposal {pid} with "
        f"{format_shares(weight)} shares" + (f" (reason: {reason})" if reason else ""),
        f"tally now: {view.tally_text()}",
    ]
    return TxOutcome(
        "voted", _tx_hash(receipt), int(receipt.block_number), _address(sender), tuple(changes), pid
    )


def queue(dao: DAO, proposal_id: int | str, sender) -> TxOutcome:
    """Schedule a passed proposal in the Timelock (its actions come from the proposal's event)."""
    view = proposal(dao, proposal_id)
    receipt = _transact(
        lambda: dao.governor.queue(
            list(view.targets), list(view.values), list(view.calldatas), view.description_hash, sender=sender
        ),
        _sentence_for(dao, sender, view.id),
    )
    after = proposal(dao, view.id)
    changes = [
        f"proposal {view.id} queued in the timelock ({len(view.actions)} operation(s)); {view.tally_text()}",
        f"it can execute from {format_time(after.eta)} (in {max(after.eta - after.timestamp, 0)} s): "
        "`ape run execute ID`",
    ]
    return TxOutcome(
        "queued", _tx_hash(receipt), int(receipt.block_number), _address(sender), tuple(changes), view.id
    )


def execute(dao: DAO, proposal_id: int | str, sender) -> TxOutcome:
    """Run a queued proposal's actions through the Timelock once its eta has passed."""
    view = proposal(dao, proposal_id)
    value = sum(view.values)
    receipt = _transact(
        lambda: dao.governor.execute(
            list(view.targets),
            list(view.values),
            list(view.calldatas),
            view.description_hash,
            value=value,
            sender=sender,
        ),
        _sentence_for(dao, sender, view.id, executing=True),
    )
    changes = [f"proposal {view.id} executed: {view.title}"]
    changes += [f"action {i + 1}: {action.text}" for i, action in enumerate(view.actions)]
    changes += _changes_from_events(dao, receipt)
    return TxOutcome(
        "executed", _tx_hash(receipt), int(receipt.block_number), _address(sender), tuple(changes), view.id
    )


def cancel(dao: DAO, proposal_id: int | str, sender) -> TxOutcome:
    """Withdraw a proposal (its proposer before voting opens; the bootstrap guardian while active)."""
    view = proposal(dao, proposal_id)
    receipt = _transact(
        lambda: dao.governor.cancel(
            list(view.targets), list(view.values), list(view.calldatas), view.description_hash, sender=sender
        ),
        _sentence_for(dao, sender, view.id),
    )
    changes = [f"proposal {view.id} canceled: {view.title}"]
    return TxOutcome(
        "canceled", _tx_hash(receipt), int(receipt.block_number), _address(sender), tuple(changes), view.id
    )


def challenge(dao: DAO, epoch: int, reason: str, sender, storage=None) -> TxOutcome:
    """Dispute `epoch`'s committed report: the reason goes to IPFS, its CID on-chain with the bond."""
    if epoch < 1:
        raise InvalidProposal(f"epoch must be 1 or more, got {epoch}")
    if not reason.strip():
        raise InvalidProposal("say why the report is wrong (--reason): the text is stored with the challenge")
    if storage is None:
        from dao.storage import get_storage

        storage = get_storage()
    reason_cid = storage.add(reason.encode())
    bond = int(dao.settlement.challenge_bond())
    receipt = _transact(
        lambda: dao.settlement.challenge(epoch, reason_cid, value=bond, sender=sender),
        _sentence_for(dao, sender, epoch=epoch),
    )
    event = next(iter(receipt.decode_logs(dao.settlement.EpochChallenged)), None)
    challenge_id = int(event.challenge_id) if event is not None else int(dao.settlement.challenge_count())
    resolve_by = int(event.resolve_by) if event is not None else 0
    changes = (
        f"epoch {epoch}'s report is challenged by {_address(sender)}; bond {format_ether(bond)} held "
        f"until governance or the guardian resolves it (challenge {challenge_id})",
        f"the reason is stored at {reason_cid}",
        f"holders decide: `ape run propose resolve {epoch} --uphold` (or --reject) before "
        f"{format_time(resolve_by)}; unresolved by then, anyone may void the epoch",
    )
    extra = (
        ("epoch", str(epoch)),
        ("challenge_id", str(challenge_id)),
        ("reason_cid", reason_cid),
        ("bond_wei", str(bond)),
    )
    return TxOutcome(
        "challenged", _tx_hash(receipt), int(receipt.block_number), _address(sender), changes, None, extra
    )


# -- proposals people make ------------------------------------------------------------------------


def recipe_from(source: str | os.PathLike | Recipe, storage=None) -> tuple[str, bytes]:
    """(CID, bytes) of a recipe given as a JSON file (validated, uploaded canonical), a CID, or a Recipe."""
    from dao.storage import get_storage, is_valid_cid

    storage = storage or get_storage()
    if isinstance(source, Recipe):
        data = source.validate().to_json()
        return storage.add(data), data
    text = os.fspath(source)
    path = Path(text)
    if path.is_file():
        data = Recipe.from_json(path.read_bytes()).to_json()
        return storage.add(data), data
    if is_valid_cid(text):
        data = storage.get(text)
        Recipe.from_json(data)  # refuse a CID that is not a valid recipe before proposing it
        return text, data
    raise InvalidProposal(f"--recipe {text!r} is neither a recipe file nor a CID")


def propose_retrain(
    dao: DAO, recipe: str | os.PathLike | Recipe, sender, note: str = "", storage=None
) -> TxOutcome:
    """Propose opening the next epoch with `recipe` (a JSON file, a CID or a Recipe)."""
    cid, data = recipe_from(recipe, storage)
    return propose(dao, builders.retrain(dao, cid, data, note), sender)


def propose_params(dao: DAO, sender, note: str = "", **changes: int) -> TxOutcome:
    """Propose changing governance parameters (names from `governance.params.PARAMETERS`)."""
    return propose(dao, builders.set_parameters(dao, note, **changes), sender)


def propose_resolution(
    dao: DAO, epoch: int, uphold: bool, sender, note: str = "", challenge_id: int | None = None
) -> TxOutcome:
    """Propose upholding or rejecting a challenge of `epoch` (its only pending one by default)."""
    return propose(dao, builders.resolve_challenge(dao, epoch, uphold, note, challenge_id), sender)


def propose_operator(dao: DAO, operator: str, sender, note: str = "") -> TxOutcome:
    """Propose replacing the operator of the settlement and the prediction market."""
    return propose(dao, builders.change_operator(dao, operator, note), sender)
