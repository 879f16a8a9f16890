"""Read a proposal as people think of it: its state, tally, quorum, snapshot, deadline and actions.

The Governor stores a proposal's core (proposer, blocks, flags), its tally and its eta, but not its
actions or description: those are in the `ProposalCreated` event, so they are recovered from the
logs (scanned from the deployment's block) and the user only ever needs the proposal id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eth_utils import keccak, to_checksum_address

from dao.chain.bindings import DAO
from dao.chain.enums import ProposalState
from dao.chain.units import exact_amount as format_shares
from dao.chain.units import exact_eth as format_ether
from dao.chain.units import short_address
from dao.errors import DaoError
from governance.params import PARAMETERS, render_value

STATES = tuple(state.label for state in ProposalState)
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = STATES
_SHORT_ID_DIGITS = 10


class UnknownProposal(DaoError):
    """No proposal with that id (or id prefix) exists on this deployment."""


def short_id(proposal_id: int) -> str:
    """The first digits of a proposal id: enough to name it (commands accept unique prefixes)."""
    text = str(proposal_id)
    return text if len(text) <= _SHORT_ID_DIGITS else f"{text[:_SHORT_ID_DIGITS]}…"


def format_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) >= 2**53 else value
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if value is None or isinstance(value, str | float):
        return value
    return str(value)


@dataclass(frozen=True)
class DecodedCall:
    """One action of a proposal, decoded against the DAO's own contracts."""

    target: str
    contract: str | None  # the DAO's name for the target (settlement, governor, ...), None if foreign
    method: str | None  # None when the calldata matches no method of the target
    args: dict[str, Any]
    value: int
    calldata: bytes
    text: str  # the call, readable: settlement.open_epoch(recipe_cid=Qm…, params_hash=0x…)

    def to_json(self) -> dict:
        return {
            "target": self.target,
            "contract": self.contract,
            "method": self.method,
            "args": {name: _json_value(value) for name, value in self.args.items()},
            "value": str(self.value),
            "calldata": "0x" + self.calldata.hex(),
            "text": self.text,
        }


@dataclass(frozen=True)
class ProposalView:
    """Everything a holder wants to know about a proposal, read at `block`."""

    id: int
    proposer: str
    state: str
    description: str
    targets: tuple[str, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    actions: tuple[DecodedCall, ...]
    created_block: int
    created_tx: str
    snapshot: int  # the block whose votes count; voting opens in the block after it
    deadline: int  # the last block in which a vote counts
    votes_against: int
    votes_for: int
    votes_abstain: int
    quorum: int | None  # for + abstain needed (while Pending: at the current supply)
    eta: int  # when a queued proposal may execute (0 if never queued)
    block: int  # the chain head when this view was read
    timestamp: int  # the head's timestamp

    @property
    def title(self) -> str:
        first = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first.lstrip("#").strip() or "(untitled)"

    @property
    def kind(self) -> str:
        match = re.search(r"^kind: (\S+)$", self.description, re.MULTILINE)
        return match[1] if match else "custom"

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    @property
    def voting_open(self) -> bool:
        """Whether a vote sent now (mined in the next block) counts."""
        return self.state == ACTIVE and self.snapshot < self.block + 1 <= self.deadline

    @property
    def quorum_reached(self) -> bool | None:
        if self.quorum is None:
            return None
        return self.votes_for + self.votes_abstain >= self.quorum

    def deadline_text(self) -> str:
        """When voting opens or closes, relative to the chain head."""
        head = self.block
        if self.state in (CANCELED, EXECUTED, QUEUED, EXPIRED) and self.eta:
            return f"eta {format_time(self.eta)}"
        if head + 1 <= self.snapshot:
            return f"opens after block {self.snapshot} (in {self.snapshot + 1 - head} blocks)"
        if head + 1 <= self.deadline:
            return f"block {self.deadline} (in {self.deadline - head} blocks)"
        return f"closed at block {self.deadline}"

    def tally_text(self) -> str:
        quorum = "not yet known" if self.quorum is None else format_shares(self.quorum)
        return (
            f"for {format_shares(self.votes_for)}, against {format_shares(self.votes_against)}, "
            f"abstain {format_shares(self.votes_abstain)}; quorum {quorum} (for + abstain)"
        )

    def to_json(self) -> dict:
        return {
            "id": str(self.id),
            "title": self.title,
            "kind": self.kind,
            "state": self.state,
            "proposer": self.proposer,
            "description": self.description,
            "description_hash": "0x" + self.description_hash.hex(),
            "actions": [action.to_json() for action in self.actions],
            "created_block": self.created_block,
            "created_tx": self.created_tx,
            "snapshot": self.snapshot,
            "deadline": self.deadline,
            "votes_wei": {
                "for": str(self.votes_for),
                "against": str(self.votes_against),
                "abstain": str(self.votes_abstain),
            },
            "quorum_wei": None if self.quorum is None else str(self.quorum),
            "eta": self.eta,
            "block": self.block,
        }


@dataclass(frozen=True)
class _Created:
    """A `ProposalCreated` log: the only place a proposal's actions and description live."""

    id: int
    proposer: str
    targets: tuple[str, ...]
    values: tuple[int, ...]
    calldatas: tuple[bytes, ...]
    description: str
    block: int
    tx: str


def _created_logs(dao: DAO) -> list[_Created]:
    from ape import chain

    head = chain.blocks.height
    logs = dao.governor.ProposalCreated.range(dao.deployment.block, head + 1)
    return [
        _Created(
            id=int(log.proposalId),
            proposer=to_checksum_address(log.proposer),
            targets=tuple(to_checksum_address(t) for t in log.targets),
            values=tuple(int(v) for v in log.values),
            calldatas=tuple(bytes(c) for c in log.calldatas),
            description=str(log.description),
            block=int(log.block_number),
            tx=_hex(log.transaction_hash),
        )
        for log in logs
    ]


def _hex(value) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    text = str(value)
    return text if text.startswith("0x") else "0x" + text


def _find(dao: DAO, proposal: int | str) -> _Created:
    """The creation log of a proposal given by decimal or 0x-hex id, or a unique prefix of either."""
    text = str(proposal).strip().rstrip("…").replace("_", "")
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise UnknownProposal(f"{proposal!r} is not a proposal id (a decimal or 0x-hex number)") from None
    logs = _created_logs(dao)
    exact = [created for created in logs if created.id == value]
    if exact:
        return exact[0]
    prefix = text.lower()
    hexadecimal = prefix.startswith("0x")
    matches = [c for c in logs if (hex(c.id) if hexadecimal else str(c.id)).startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UnknownProposal(
            f"{proposal} is the start of {len(matches)} proposal ids; give more digits "
            f"(`ape run proposals` lists them)"
        )
    raise UnknownProposal(
        f"no proposal {proposal} on the {dao.deployment.network} deployment (`ape run proposals` lists them)"
    )


def resolve_id(dao: DAO, proposal: int | str) -> int:
    """A proposal id from its decimal or 0x-hex form or a unique prefix of either (as the table shows)."""
    return _find(dao, proposal).id


def _render_arg(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        text = "0x" + bytes(value).hex()
        return text if len(text) <= 20 else f"{text[:18]}…"
    return str(value)


def decode_action(dao: DAO, target: str, value: int, calldata: bytes) -> DecodedCall:
    """One (target, value, calldata) as a readable call of the DAO's contracts."""
    name = dao.deployment.name_of(target)
    sent = f" sending {format_ether(value)}" if value else ""
    if name is None:
        text = f"call {target} with {len(calldata)} bytes of calldata{sent}"
        return DecodedCall(target, None, None, {}, value, calldata, text)
    try:
        selector, args = dao.contract(name).decode_input(calldata)
    except Exception:  # noqa: BLE001 - any calldata that matches no method of the target
        text = f"{name}: unknown call ({len(calldata)} bytes){sent}"
        return DecodedCall(target, name, None, {}, value, calldata, text)
    method = selector.split("(", 1)[0]
    args = dict(args)
    group = [p for p in PARAMETERS.values() if p.setter == method and p.holder == name]
    if group and len(group) == len(args):
        # A parameter setter: show the values in their units, under the parameters' own names.
        rendered = [f"{p.name}={render_value(p, int(v))}" for p, v in zip(group, args.values(), strict=True)]
    else:
        rendered = [f"{key.rstrip('_')}={_render_arg(v)}" for key, v in args.items()]
    text = f"{name}.{method}({', '.join(rendered)}){sent}"
    return DecodedCall(target, name, method, args, value, calldata, text)


def _view(dao: DAO, created: _Created) -> ProposalView:
    from ape import chain

    governor = dao.governor
    pid = created.id
    head = chain.blocks.head
    against, in_favour, abstain = (int(v) for v in governor.proposalVotes(pid))
    snapshot = int(governor.proposalSnapshot(pid))
    # Exact once the snapshot is past; while Pending, the quorum at the current supply.
    quorum = int(governor.proposal_quorum(pid))
    return ProposalView(
        id=pid,
        proposer=created.proposer,
        state=STATES[int(governor.state(pid))],
        description=created.description,
        targets=created.targets,
        values=created.values,
        calldatas=created.calldatas,
        actions=tuple(
            decode_action(dao, t, v, c)
            for t, v, c in zip(created.targets, created.values, created.calldatas, strict=True)
        ),
        created_block=created.block,
        created_tx=created.tx,
        snapshot=snapshot,
        deadline=int(governor.proposalDeadline(pid)),
        votes_against=against,
        votes_for=in_favour,
        votes_abstain=abstain,
        quorum=quorum,
        eta=int(governor.proposalEta(pid)),
        block=int(head.number),
        timestamp=int(head.timestamp),
    )


def proposal(dao: DAO, proposal_id: int | str) -> ProposalView:
    """The proposal with this id (or unique id prefix), read now."""
    return _view(dao, _find(dao, proposal_id))


def list_proposals(dao: DAO) -> list[ProposalView]:
    """Every proposal of this deployment, oldest first."""
    return [_view(dao, created) for created in _created_logs(dao)]


def proposals_table(views: list[ProposalView], title: str | None = None):
    """A `rich` table of proposals: state, votes, quorum, deadline; addresses and ids shortened."""
    from rich.table import Table

    table = Table(title=title)
    for column, justify in (
        ("id", "left"),
        ("title", "left"),
        ("state", "left"),
        ("for", "right"),
        ("against", "right"),
        ("abstain", "right"),
        ("quorum", "right"),
        ("deadline", "left"),
        ("proposer", "left"),
    ):
        table.add_column(column, justify=justify)
    for view in views:
        quorum = "-" if view.quorum is None else format_shares(view.quorum)
        if view.quorum_reached:
            quorum += " ✓"
        table.add_row(
            short_id(view.id),
            view.title,
            view.state,
            format_shares(view.votes_for),
            format_shares(view.votes_against),
            format_shares(view.votes_abstain),
            quorum,
            view.deadline_text(),
            short_address(view.proposer),
        )
    return table


def describe(view: ProposalView) -> list[str]:
    """A proposal in full, as lines of text (ids and addresses unabridged)."""
    lines = [
        f"proposal {view.id}",
        f"  title     {view.title} ({view.kind})",
        f"  state     {view.state}",
        f"  proposer  {view.proposer}",
        f"  created   block {view.created_block} (tx {view.created_tx})",
        f"  snapshot  block {view.snapshot}; voting closes at block {view.deadline} "
        f"(chain at block {view.block})",
        f"  votes     {view.tally_text()}",
    ]
    if view.eta:
        lines.append(f"  eta       {format_time(view.eta)}")
    lines.append("  actions")
    lines += [f"    {i + 1}. {action.text}" for i, action in enumerate(view.actions)]
    return lines
