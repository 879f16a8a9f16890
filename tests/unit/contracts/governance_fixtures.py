"""Helpers for the Governor/Timelock tests and the governance gas benchmark (ape).

The votes token is the real `contracts/ShareToken.vy` when it compiles (minted by a test minter
within a generous epoch cap); otherwise the `VotesTokenDouble` test double. Set
`GOVERNOR_TEST_TOKEN=double` to force the double. Test doubles live in
`tests/unit/contracts/doubles/` (outside ape's `contracts/`), so they are compiled from source here with
ape's compiler manager; each result is an ordinary ape ContractContainer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from eth_abi import encode
from eth_utils import keccak

DOUBLES = Path(__file__).resolve().parent / "doubles"
ETHER = 10**18
ZERO = "0x0000000000000000000000000000000000000000"

PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)

PROPOSER_ROLE = keccak(text="PROPOSER_ROLE")
EXECUTOR_ROLE = keccak(text="EXECUTOR_ROLE")
CANCELLER_ROLE = keccak(text="CANCELLER_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32


@cache
def double(name: str):
    """The ContractContainer of `tests/unit/contracts/doubles/<name>.vy`."""
    from ape import compilers, project

    source = (DOUBLES / f"{name}.vy").read_text()
    return compilers.compile_source("vyper", source, project=project, contractName=name)


def address_of(x) -> str:
    return getattr(x, "address", x)


def delegate(token, holder, to):
    """`token.delegate(to)` from `holder` (ape 0.8.52's EIP-7702 `delegate` property hides it)."""
    return token.invoke_transaction("delegate", address_of(to), sender=holder)


@dataclass
class VotesToken:
    """The votes token under test and how to mint it."""

    contract: object
    kind: str  # "ShareToken" or "VotesTokenDouble"
    minter: object

    def mint(self, to, amount: int):
        if self.kind == "ShareToken":
            return self.contract.mint(address_of(to), amount, 1, sender=self.minter)
        return self.contract.mint(address_of(to), amount, sender=self.minter)


def deploy_votes_token(project, deployer, minter) -> VotesToken:
    """The real ShareToken if it exists and compiles (unless forced off), else the double."""
    if os.environ.get("GOVERNOR_TEST_TOKEN", "share") != "double":
        try:
            container = project.ShareToken
            stable = project.DemoStablecoin.deploy(sender=deployer)
        except Exception:  # noqa: BLE001 - not written yet or does not compile: use the double
            container = None
        if container is not None:
            token = container.deploy(
                "Metamodel Share", "MMS", stable, "Metamodel Share", "1", sender=deployer
            )
            token.set_minter(minter, sender=deployer)
            token.set_epoch_mint_limits(10_000, 10**12 * ETHER, sender=deployer)
            return VotesToken(token, "ShareToken", minter)
    return VotesToken(double("VotesTokenDouble").deploy(sender=deployer), "VotesTokenDouble", minter)


@dataclass
class Governance:
    token: VotesToken
    timelock: object
    governor: object
    target: object
    deployer: object


def deploy_governance(
    project,
    deployer,
    token: VotesToken,
    *,
    delay: int = 60,
    voting_delay: int = 2,
    voting_period: int = 10,
    threshold: int = 10 * ETHER,
    quorum_bps: int = 1_000,
    guardian_source=ZERO,
) -> Governance:
    """Timelock + Governor wired like `dao/chain/deploy.py`: the Governor is the only proposer,
    canceller and executor, and the deployer renounces the admin role. `guardian_source` names the
    contract whose `guardian()` may cancel proposals while `guardian_active()` (zero: none)."""
    timelock = project.Timelock.deploy(delay, [], [], deployer, sender=deployer)
    governor = project.Governor.deploy(
        token.contract,
        timelock,
        voting_delay,
        voting_period,
        threshold,
        quorum_bps,
        "Metamodel Governor",
        guardian_source,
        sender=deployer,
    )
    for role in (PROPOSER_ROLE, CANCELLER_ROLE, EXECUTOR_ROLE):
        timelock.grantRole(role, governor, sender=deployer)
    timelock.renounceRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
    target = double("GovTarget").deploy(timelock, sender=deployer)
    return Governance(token, timelock, governor, target, deployer)


@dataclass
class Proposal:
    """targets/values/calldatas/description of a proposal, with its OpenZeppelin id."""

    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, calls, description: str) -> Proposal:
        """`calls` = [(contract, method name, args, value)] -> one action each."""
        targets, values, calldatas = [], [], []
        for contract, method, args, value in calls:
            targets.append(address_of(contract))
            values.append(value)
            calldatas.append(bytes(getattr(contract, method).encode_input(*args)))
        return cls(targets, values, calldatas, description)

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    @property
    def id(self) -> int:
        encoded = encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [self.targets, self.values, self.calldatas, self.description_hash],
        )
        return int.from_bytes(keccak(encoded), "big")

    def propose_args(self):
        return self.targets, self.values, self.calldatas, self.description

    def args(self):
        return self.targets, self.values, self.calldatas, self.description_hash

    def operation_ids(self) -> list[bytes]:
        """The Timelock operation of each action: salt = id, chained predecessors."""
        salt = self.id.to_bytes(32, "big")
        predecessor, ids = b"\x00" * 32, []
        for target, value, data in zip(self.targets, self.values, self.calldatas, strict=True):
            op = keccak(
                encode(
                    ["address", "uint256", "bytes", "bytes32", "bytes32"],
                    [target, value, data, predecessor, salt],
                )
            )
            ids.append(op)
            predecessor = op
        return ids


def mine_to(chain, block: int) -> None:
    """Mine until the head is `block` (the next transaction lands in `block + 1`)."""
    head = chain.blocks.head.number
    if block > head:
        chain.mine(block - head)
