"""Finding 4 (issue 15): copying a pending `propose` and cancelling the copy censored governance.

On main f357bc8 the proposal id ignored its proposer and a proposer could cancel while Pending:
a holder with 0.0001% of the supply copied each honest `propose` from the mempool, landed first,
cancelled, and the id could never be proposed again (5/5 proposals censored). Now a description
ending in OpenZeppelin's `#proposer=0x…` suffix may be proposed only by that proposer (the id stays
OpenZeppelin's `hashProposal`), and governance/ appends the suffix to every proposal it sends.

Set-up: ShareToken, Timelock and Governor wired like `dao/chain/deploy.py` (threshold one share);
the honest proposer holds 999,999 shares, the copier one (0.0001%).
"""

from __future__ import annotations

import ape
import pytest

from tests.unit.contracts.governance_fixtures import (
    CANCELED,
    ETHER,
    PENDING,
    Proposal,
    deploy_governance,
    deploy_votes_token,
    mine_to,
)


@pytest.fixture(scope="module")
def cast(accounts):
    return accounts[0], accounts[9], accounts[1], accounts[2]  # deployer, minter, honest, copier


@pytest.fixture(scope="module")
def gov(project, chain, cast):
    deployer, minter, honest, copier = cast
    token = deploy_votes_token(project, deployer, minter)
    g = deploy_governance(project, deployer, token, threshold=ETHER)
    token.mint(honest, 999_999 * ETHER)
    token.mint(copier, ETHER)
    chain.mine(1)
    return g


def suffixed(text: str, proposer) -> str:
    """What governance/ sends: the description ends with `#proposer=<address>`."""
    return f"{text}\n\n#proposer={proposer.address}"


def test_five_honest_proposals_copied_from_the_mempool_all_get_proposed(gov, chain, cast):
    _, _, honest, copier = cast
    for i in range(5):
        proposal = Proposal.of(
            [(gov.target, "set_value", (i + 1,), 0)], suffixed(f"Set the parameter to {i + 1}.", honest)
        )
        # The copier sees the pending transaction and sends the same call first: refused.
        with ape.reverts("governor: proposer restricted by the description"):
            gov.governor.propose(*proposal.propose_args(), sender=copier)
        # Same actions under its own description: another id, which blocks nothing.
        decoy = Proposal.of(proposal_calls(gov, i + 1), f"Set the parameter to {i + 1}. (copy)")
        gov.governor.propose(*decoy.propose_args(), sender=copier)
        gov.governor.cancel(*decoy.args(), sender=copier)
        assert gov.governor.state(decoy.id) == CANCELED

        gov.governor.propose(*proposal.propose_args(), sender=honest)
        assert gov.governor.state(proposal.id) == PENDING
        assert gov.governor.proposalProposer(proposal.id) == honest.address
        # Nobody but the proposer may cancel it.
        with ape.reverts("governor: only the proposer or the guardian may cancel"):
            gov.governor.cancel(*proposal.args(), sender=copier)
        mine_to(chain, gov.governor.proposalDeadline(proposal.id))  # one live proposal per proposer


def proposal_calls(gov, value: int):
    return [(gov.target, "set_value", (value,), 0)]


def test_the_id_is_still_openzeppelins_hash_proposal(gov, cast):
    _, _, honest, _ = cast
    proposal = Proposal.of(proposal_calls(gov, 7), suffixed("Set it to 7.", honest))
    assert gov.governor.hashProposal(*proposal.args()) == proposal.id


@pytest.mark.parametrize(
    "suffix",
    [
        "",  # no suffix: anyone may propose it (OpenZeppelin)
        "#proposer=",  # marker without an address
        "#proposer=0x" + "g" * 40,  # not hex: no restriction (OpenZeppelin's tryParseAddress fails)
        "#proposer=" + "ab" * 21,  # no 0x prefix
        "#proposer=0x" + "ab" * 20 + " ",  # not at the very end
    ],
)
def test_descriptions_without_a_valid_suffix_are_open_to_anyone(gov, cast, suffix):
    _, _, _, copier = cast
    proposal = Proposal.of(proposal_calls(gov, 9), "Open text.\n\n" + suffix)
    gov.governor.propose(*proposal.propose_args(), sender=copier)
    assert gov.governor.proposalProposer(proposal.id) == copier.address


@pytest.mark.parametrize("case", ["lower", "upper", "checksum"])
def test_the_suffix_binds_in_any_hex_case(gov, cast, case):
    _, _, honest, copier = cast
    hex_part = honest.address[2:]
    hex_part = {"lower": hex_part.lower(), "upper": hex_part.upper(), "checksum": hex_part}[case]
    proposal = Proposal.of(proposal_calls(gov, 3), f"Case {case}.\n\n#proposer=0x{hex_part}")
    with ape.reverts("governor: proposer restricted by the description"):
        gov.governor.propose(*proposal.propose_args(), sender=copier)
    gov.governor.propose(*proposal.propose_args(), sender=honest)


def test_the_zero_address_suffix_binds_to_nobody(gov, cast):
    _, _, honest, _ = cast
    proposal = Proposal.of(proposal_calls(gov, 4), "Nobody.\n\n#proposer=0x" + "0" * 40)
    with ape.reverts("governor: proposer restricted by the description"):
        gov.governor.propose(*proposal.propose_args(), sender=honest)


def test_governance_helpers_append_the_proposer_suffix():
    """governance/ binds every proposal it sends to its sender (no chain needed)."""
    from eth_abi import encode
    from eth_utils import keccak

    from governance.builders import Action, InvalidProposal, ProposalDraft

    alice = "0x" + "a1" * 20
    draft = ProposalDraft("retrain", "Retrain", (Action("0x" + "11" * 20, 0, b"\x01\x02", "call"),))
    bound = draft.for_proposer(alice)
    assert bound.description.endswith("\n\n#proposer=0x" + "A1" * 20) or bound.description.lower().endswith(
        "#proposer=0x" + "a1" * 20
    )
    assert len(bound.description.rsplit("\n", 1)[1]) == 52
    assert bound.description.startswith(draft.description)
    expected = keccak(
        encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [bound.targets, bound.values, bound.calldatas, keccak(text=bound.description)],
        )
    )
    assert bound.proposal_id == int.from_bytes(expected, "big")
    assert bound.for_proposer(alice) == bound
    with pytest.raises(InvalidProposal, match="bound to"):
        bound.for_proposer("0x" + "b2" * 20)


def test_every_account_in_random_case_is_parsed_exactly(gov, accounts, chain):
    """The Governor's hex parsing (32 digits at once) against Python's, for many addresses."""
    import random

    rng = random.Random(15)
    holders = list(accounts)[3:9]
    for holder in holders:
        gov.token.mint(holder, ETHER)
    chain.mine(1)
    for n, holder in enumerate(holders):
        mixed = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in holder.address[2:])
        proposal = Proposal.of(proposal_calls(gov, 100 + n), f"Mixed case {n}.\n\n#proposer=0x{mixed}")
        other = holders[(n + 1) % len(holders)]
        with ape.reverts("governor: proposer restricted by the description"):
            gov.governor.propose(*proposal.propose_args(), sender=other)
        gov.governor.propose(*proposal.propose_args(), sender=holder)
        assert gov.governor.proposalProposer(proposal.id) == holder.address
