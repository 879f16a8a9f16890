"""Every ETH payout path (market refund, stake withdrawal, bond withdrawal) pays exactly once,
even to a contract that re-enters the paying function from its receive hook (titanoboa)."""

from __future__ import annotations

from pathlib import Path

import boa
import pytest
from eth_abi import encode
from eth_utils import keccak

from dao.chain.cids import cid_parts

ROOT = Path(__file__).resolve().parents[3]
ETHER = 10**18
MIN_STAKE, PRICE, OPERATOR_BOND, CHALLENGE_BOND = ETHER // 10, 10**16, ETHER, ETHER // 2
PERIOD = 600
CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"


def call(signature: str, types: list[str] | None = None, values: list | None = None) -> bytes:
    return keccak(text=signature)[:4] + (encode(types, values) if types else b"")


@pytest.fixture
def system():
    admin, operator = boa.env.generate_address("admin"), boa.env.generate_address("operator")
    boa.env.set_balance(operator, 10 * ETHER)
    with boa.env.anchor():
        with boa.env.prank(admin):
            revenue = boa.load(str(ROOT / "tests/unit/contracts/doubles/PlainERC20.vy"))
            shares = boa.load(str(ROOT / "contracts/ShareToken.vy"), "S", "S", revenue.address, "S", "1")
            registry = boa.load(
                str(ROOT / "contracts/ContributionRegistry.vy"), shares.address, MIN_STAKE, PERIOD
            )
            settlement = boa.load(
                str(ROOT / "contracts/EpochSettlement.vy"),
                shares.address,
                registry.address,
                operator,
                PERIOD,
                PERIOD,
                OPERATOR_BOND,
                CHALLENGE_BOND,
                "0x" + "00" * 20,  # no guardian
                0,  # guardian term
            )
            market = boa.load(
                str(ROOT / "contracts/PredictionMarket.vy"), shares.address, operator, PRICE, PERIOD
            )
            registry.set_settlement(settlement.address)
            shares.set_minter(settlement.address)
            settlement.open_epoch(CID, b"\x00" * 32)
        payee = boa.load(str(ROOT / "tests/unit/contracts/doubles/ReentrantPayee.vy"))
        boa.env.set_balance(boa.env.eoa, 10 * ETHER)
        yield {"admin": admin, "operator": operator, "settlement": settlement, "registry": registry,
               "market": market, "payee": payee}  # fmt: skip


def _commit(system) -> None:
    boa.env.time_travel(seconds=PERIOD)
    with boa.env.prank(system["operator"]):
        system["settlement"].commit(
            1, *cid_parts(CID), b"\x01" * 32, b"\x02" * 32, 0, b"\x03" * 32, value=OPERATOR_BOND
        )


def _paid_once(payee, amount: int) -> None:
    assert payee.received() == amount and payee.attempts() == 1 and not payee.reentry_succeeded()
    assert boa.env.get_balance(payee.address) == amount


def test_a_refund_that_re_enters_refund_pays_once(system):
    market, payee = system["market"], system["payee"]
    payee.act(market.address, call("request(string)", ["string"], [CID]), value=PRICE)
    boa.env.time_travel(seconds=PERIOD + 1)
    refund = call("refund(uint256)", ["uint256"], [1])
    payee.arm(market.address, refund)
    payee.act(market.address, refund)
    _paid_once(payee, PRICE)
    assert boa.env.get_balance(market.address) == 0 and market.open_fees() == 0


def test_a_stake_withdrawal_that_re_enters_withdraw_pays_once(system):
    registry, settlement, payee = system["registry"], system["settlement"], system["payee"]
    salt = b"\x01" * 32
    commitment = registry.commitment_hash(payee.address, 0, *cid_parts(CID), salt)
    payee.act(registry.address, call("commit_contribution(bytes32)", ["bytes32"], [commitment]))
    boa.env.time_travel(blocks=1)  # the reveal comes in a later block
    register = call(
        "register(uint8,uint8,bytes32,bytes32)",
        ["uint8", "uint8", "bytes32", "bytes32"],
        [0, *cid_parts(CID), salt],
    )
    payee.act(registry.address, register, value=MIN_STAKE)
    _commit(system)
    boa.env.time_travel(seconds=PERIOD)
    settlement.finalize(1)
    payee.act(registry.address, call("request_withdrawal(uint256)", ["uint256"], [1]))
    boa.env.time_travel(seconds=PERIOD)
    withdraw = call("withdraw(uint256)", ["uint256"], [1])
    payee.arm(registry.address, withdraw)
    payee.act(registry.address, withdraw)
    _paid_once(payee, MIN_STAKE)
    assert boa.env.get_balance(registry.address) == 0 and registry.contributions(1).withdrawn


def test_a_bond_withdrawal_that_re_enters_withdraw_pays_once(system):
    settlement, payee = system["settlement"], system["payee"]
    _commit(system)
    payee.act(
        settlement.address,
        call("challenge(uint256,string)", ["uint256", "string"], [1, CID]),
        value=CHALLENGE_BOND,
    )
    with boa.env.prank(system["admin"]):
        settlement.resolve_challenge(1, True)  # upheld: the challenger is owed both bonds
    owed = CHALLENGE_BOND + OPERATOR_BOND
    assert settlement.bonds_owed(payee.address) == owed
    withdraw = call("withdraw()")
    payee.arm(settlement.address, withdraw)
    payee.act(settlement.address, withdraw)
    _paid_once(payee, owed)
    assert settlement.bonds_owed(payee.address) == 0 and boa.env.get_balance(settlement.address) == 0
