"""Reading proposals: the view, decoded actions, id prefixes, formatting; `governed node mine` guards."""

from __future__ import annotations

import pytest

from dao.chain.deploy import DeployParams
from dao.chain.node import NodeError, mine
from governance import actions
from governance.console import parse_parameter_value
from governance.proposals import (
    ACTIVE,
    PENDING,
    UnknownProposal,
    decode_action,
    format_shares,
    list_proposals,
    proposal,
    resolve_id,
    short_address,
    short_id,
)
from tests.unit.governance.epoch_one import ETHER, recipe

PARAMS = DeployParams.for_tests()


def test_a_proposal_reads_as_state_tally_snapshot_deadline_and_calls(governed, voters, storage, advance):
    alice, bob = voters[0], voters[1]
    assert list_proposals(governed) == []
    outcome = actions.propose_retrain(governed, recipe(500 * ETHER), alice, note="Halve it.", storage=storage)
    view = proposal(governed, outcome.proposal_id)
    assert view.state == PENDING and view.title == "Retrain the metamodel" and view.kind == "retrain"
    assert view.proposer == alice.address and view.snapshot == view.created_block + PARAMS.voting_delay
    assert view.deadline == view.snapshot + PARAMS.voting_period
    assert view.quorum == 100 * ETHER  # while Pending: the fraction of the current supply
    assert "Halve it." in view.description
    [call] = view.actions
    assert call.contract == "settlement" and call.method == "open_epoch"
    assert call.args["recipe_cid"].startswith("Qm") and call.text.startswith(
        "settlement.open_epoch(recipe_cid=Qm"
    )

    advance(blocks=PARAMS.voting_delay + 1)
    actions.vote(governed, view.id, "against", bob)
    view = proposal(governed, view.id)
    assert view.state == ACTIVE and view.voting_open
    assert (view.votes_for, view.votes_against, view.votes_abstain) == (0, 300 * ETHER, 0)
    assert view.quorum == 100 * ETHER and view.quorum_reached is False
    assert view.deadline_text().startswith(f"block {view.deadline} (in ")
    document = view.to_json()
    assert document["id"] == str(view.id) and document["votes_wei"]["against"] == str(300 * ETHER)
    assert document["actions"][0]["target"] == governed.settlement.address
    assert [v.id for v in governed.proposals()] == [view.id]


def test_parameter_setters_are_decoded_in_their_units(governed):
    draft = dao_params_draft(governed)
    texts = [
        decode_action(governed, t, v, c).text
        for t, v, c in zip(draft.targets, draft.values, draft.calldatas, strict=True)
    ]
    assert texts == [
        "settlement.set_bonds(operator_bond=0.1 ETH, challenge_bond=2.5 ETH)",
        "governor.set_quorum_bps(quorum_bps=5%)",
    ]
    foreign = decode_action(governed, "0x" + "12" * 20, 10**17, b"\x01\x02\x03\x04")
    assert foreign.contract is None and foreign.text.endswith("4 bytes of calldata sending 0.1 ETH")


def dao_params_draft(governed):
    from governance.builders import set_parameters

    return set_parameters(governed, challenge_bond=25 * ETHER // 10, quorum_bps=500)


def test_ids_resolve_from_unique_prefixes(governed, voters):
    pid = actions.propose_params(governed, voters[0], voting_period=20).proposal_id
    assert resolve_id(governed, pid) == pid
    assert resolve_id(governed, str(pid)[:8]) == pid
    assert resolve_id(governed, short_id(pid)) == pid  # as the table shows it, ellipsis and all
    assert resolve_id(governed, hex(pid)[:10]) == pid
    with pytest.raises(UnknownProposal, match="no proposal 42 on the ethereum:local:test deployment"):
        proposal(governed, 42)
    with pytest.raises(UnknownProposal, match="is not a proposal id"):
        resolve_id(governed, "retrain")


def test_amounts_and_addresses_read_as_people_read_them():
    assert format_shares(1_234_500_000_000_000_000_000) == "1,234.5"
    assert format_shares(600 * ETHER) == "600"
    assert format_shares(1) == "0.000000000000000001"
    assert format_shares(0) == "0"
    assert short_address("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC") == "0x3C44…93BC"


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("emission", "250", 250 * ETHER),
        ("emission", "0.5", ETHER // 2),
        ("challenge_bond", "100wei", 100),
        ("challenge_window", "2h", 7_200),
        ("challenge_window", "600", 600),
        ("quorum_bps", "5%", 500),
        ("quorum_bps", "700", 700),
        ("voting_period", "20", 20),
    ],
)
def test_parameter_values_are_typed_in_units(name, text, expected):
    assert parse_parameter_value(name, text) == expected


def test_mining_refuses_a_chain_that_is_not_a_local_test_chain(monkeypatch):
    calls = []

    def fake_rpc(url, method, params=None, timeout=2.0):
        calls.append(method)
        return hex(1) if method == "eth_chainId" else None

    monkeypatch.setattr("dao.chain.node.rpc", fake_rpc)
    with pytest.raises(NodeError, match="chain id 1, not a local test chain"):
        mine(10, 60)
    assert calls == ["eth_chainId"]
    with pytest.raises(NodeError, match="at least one block"):
        mine(0)
