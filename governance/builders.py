"""Typed builders for the proposals a DAO actually makes.

Each builder validates its inputs before anything is sent and returns a `ProposalDraft`: the
Governor's (targets, values, calldatas) plus a human-readable description that is stored with the
proposal (the description's hash is part of the proposal id, so the text cannot change later).
`actions.propose` binds the draft to its sender (`for_proposer`): the description then ends in
OpenZeppelin's `#proposer=0x…` suffix, which the Governor lets only that account propose, so a copy
of the pending transaction cannot take (and then cancel) the proposal's id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from eth_abi import encode
from eth_utils import is_hex_address, keccak, to_checksum_address

from dao.chain.bindings import DAO
from dao.data.recipe import Recipe
from dao.errors import DaoError
from dao.storage.cid import is_valid_cid
from governance.params import PARAMETERS, render_value


class InvalidProposal(DaoError):
    """A proposal's inputs are out of range or malformed; nothing was sent."""


@dataclass(frozen=True)
class Action:
    target: str
    value: int
    calldata: bytes
    summary: str  # what this call does, in words


@dataclass(frozen=True)
class ProposalDraft:
    kind: str
    title: str
    actions: tuple[Action, ...]
    details: str = ""
    proposer: str | None = None  # set by `for_proposer`: only this account may propose it

    def for_proposer(self, proposer: str) -> ProposalDraft:
        """This draft bound to `proposer` (its description ends in `#proposer=<address>`)."""
        if not is_hex_address(proposer):
            raise InvalidProposal(f"proposer {proposer!r} is not an address")
        proposer = to_checksum_address(proposer)
        if self.proposer is not None and self.proposer != proposer:
            raise InvalidProposal(
                f"this proposal is bound to {self.proposer}; {proposer} cannot propose it "
                "(build it again to propose it yourself)"
            )
        return replace(self, proposer=proposer)

    @property
    def description(self) -> str:
        lines = [f"# {self.title}", "", f"kind: {self.kind}", ""]
        lines += [f"{i + 1}. {action.summary}" for i, action in enumerate(self.actions)]
        if self.details:
            lines += ["", self.details]
        if self.proposer is not None:
            # OpenZeppelin's rule: exactly `#proposer=0x` + 40 hex digits at the very end.
            lines += ["", f"#proposer={self.proposer}"]
        return "\n".join(lines)

    @property
    def targets(self) -> list[str]:
        return [action.target for action in self.actions]

    @property
    def values(self) -> list[int]:
        return [action.value for action in self.actions]

    @property
    def calldatas(self) -> list[bytes]:
        return [action.calldata for action in self.actions]

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    @property
    def proposal_id(self) -> int:
        """The Governor's id: OpenZeppelin's `hashProposal(targets, values, calldatas, description hash)`."""
        encoded = encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [self.targets, self.values, self.calldatas, self.description_hash],
        )
        return int.from_bytes(keccak(encoded), "big")


def _call(contract, method: str, *args) -> bytes:
    return bytes(getattr(contract, method).encode_input(*args))


def retrain(dao: DAO, recipe_cid: str, recipe_bytes: bytes, note: str = "") -> ProposalDraft:
    """Open the next epoch with the recipe at `recipe_cid` (whose content is `recipe_bytes`)."""
    if not is_valid_cid(recipe_cid):
        raise InvalidProposal(f"recipe CID {recipe_cid!r} is not a CID (expected Qm… or b…)")
    recipe = Recipe.from_json(recipe_bytes)  # refuses malformed recipes before anything is sent
    params_hash = keccak(recipe_bytes)
    summary = (
        f"settlement.open_epoch(recipe {recipe_cid}, keccak {params_hash.hex()[:16]}…): "
        f"{recipe.schema.task}, {len(recipe.schema.features)} features, "
        f"models {', '.join(recipe.model_allow_list)}, emission {recipe.emission / 1e18:,.4f} shares, "
        f"data pool {recipe.data_pool_bps / 100:.2f}%, slash cap {recipe.slash_cap_bps / 100:.2f}%, "
        f"valuation {recipe.valuation_method} v{recipe.valuation_version}"
    )
    live = recipe.live_scoring
    if live is None:
        action = Action(
            dao.settlement.address, 0, _call(dao.settlement, "open_epoch", recipe_cid, params_hash), summary
        )
        return ProposalDraft("retrain", "Retrain the metamodel", (action,), note)
    # A live-scored recipe opens its epoch through the outcome board, which opens it in the settlement
    # and fixes the recipe's live terms in the same transaction (the operator's run checks they match).
    if "outcomes" not in dao.deployment.addresses:
        raise InvalidProposal(
            "the recipe says scoring live but this deployment has no outcome board (OutcomeBoard): "
            "deploy one, or propose a static recipe"
        )
    terms = (
        to_checksum_address(live.outcome_reporter),
        live.resolution_blocks,
        live.min_resolved_rows,
        live.max_extensions,
    )
    summary = summary.replace("settlement.open_epoch(", "outcomes.open_live_epoch(", 1) + (
        f", live-scored: reporter {terms[0]}, resolution {terms[1]} blocks, at least {terms[2]} rows, "
        f"{terms[3]} extension(s)"
    )
    action = Action(
        dao.outcomes.address,
        0,
        _call(dao.outcomes, "open_live_epoch", recipe_cid, params_hash, *terms),
        summary,
    )
    return ProposalDraft("retrain", "Retrain the metamodel (live-scored)", (action,), note)


def set_parameters(dao: DAO, note: str = "", **changes: int) -> ProposalDraft:
    """Change economic or governance parameters, one timelocked call per changed setter."""
    if not changes:
        raise InvalidProposal("no parameter to change: pass at least one, e.g. min_stake=...")
    unknown = sorted(set(changes) - set(PARAMETERS))
    if unknown:
        raise InvalidProposal(
            f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(PARAMETERS))}"
        )
    for name, value in changes.items():
        PARAMETERS[name].check(value)
    actions = []
    # Setters that take several parameters at once get the current values for the untouched ones.
    for setter in dict.fromkeys(PARAMETERS[name].setter for name in changes):
        group = [p for p in PARAMETERS.values() if p.setter == setter]
        args = [changes[p.name] if p.name in changes else p.read(dao) for p in group]
        contract = group[0].contract(dao)
        changed = ", ".join(
            f"{p.name} {render_value(p, p.read(dao))} → {render_value(p, changes[p.name])}"
            for p in group
            if p.name in changes
        )
        actions.append(Action(contract.address, 0, _call(contract, setter, *args), f"{setter}: {changed}"))
    return ProposalDraft("params", "Change parameters", tuple(actions), note)


def pending_challenges(dao: DAO, epoch: int) -> list[int]:
    """Ids of the challenges of `epoch`'s standing report that await a verdict and can still get one:
    none once the epoch's resolution deadline has passed (the settlement refuses every verdict then;
    the epoch is voided or, with only late challenges, finalized)."""
    from ape import chain

    record = dao.settlement.epochs(epoch)
    if int(record.status) != 3:  # CHALLENGED
        return []
    if chain.pending_timestamp >= int(record.resolve_by):
        return []
    found = []
    for challenge_id in range(1, int(dao.settlement.challenge_count()) + 1):
        challenge = dao.settlement.challenges(challenge_id)
        if (int(challenge.epoch), int(challenge.round), int(challenge.status)) == (
            epoch,
            int(record.round),
            1,  # PENDING
        ):
            found.append(challenge_id)
    return found


def resolve_challenge(
    dao: DAO, epoch: int, uphold: bool, note: str = "", challenge_id: int | None = None
) -> ProposalDraft:
    """Uphold (void the report; this challenger earns the operator's bond) or reject (keep it; the
    challenger's bond goes to holders) one challenge of `epoch`. Without `challenge_id`, the epoch must
    have exactly one pending challenge."""
    if epoch < 1:
        raise InvalidProposal(f"epoch must be 1 or more, got {epoch}")
    pending = pending_challenges(dao, epoch)
    record = dao.settlement.epochs(epoch)
    if not pending and int(record.status) == 3 and int(record.pending_challenges) > 0:
        raise InvalidProposal(
            f"epoch {epoch}'s resolution deadline ({int(record.resolve_by)}) has passed: its challenges "
            "can no longer be judged; anyone may void the epoch (settlement.void_epoch), or finalize it "
            "when only late challenges are left"
        )
    if challenge_id is None:
        if len(pending) != 1:
            listed = ", ".join(map(str, pending)) or "none"
            raise InvalidProposal(
                f"epoch {epoch} has {len(pending)} pending challenges ({listed}): name the one to judge"
            )
        challenge_id = pending[0]
    elif challenge_id not in pending:
        raise InvalidProposal(f"challenge {challenge_id} is not a pending challenge of epoch {epoch}")
    verdict = "uphold" if uphold else "reject"
    summary = f"settlement.resolve_challenge(challenge {challenge_id} of epoch {epoch}, {verdict})"
    action = Action(
        dao.settlement.address,
        0,
        _call(dao.settlement, "resolve_challenge", challenge_id, uphold),
        summary,
    )
    return ProposalDraft(
        "challenge",
        f"{verdict.capitalize()} challenge {challenge_id} of epoch {epoch}",
        (action,),
        note,
    )


def change_operator(dao: DAO, operator: str, note: str = "") -> ProposalDraft:
    """Replace the operator of the settlement and the prediction market."""
    from eth_utils import is_checksum_address, is_hex_address, to_checksum_address

    if not is_hex_address(operator) or int(operator, 16) == 0:
        raise InvalidProposal(f"operator {operator!r} is not a non-zero address")
    if operator != operator.lower() and not is_checksum_address(operator):
        raise InvalidProposal(f"operator {operator!r} has a wrong checksum (mixed case that is not EIP-55)")
    operator = to_checksum_address(operator)
    actions = tuple(
        Action(
            contract.address, 0, _call(contract, "set_operator", operator), f"{name}.set_operator({operator})"
        )
        for name, contract in (("settlement", dao.settlement), ("market", dao.market))
    )
    return ProposalDraft("operator", f"Change the operator to {operator}", actions, note)
