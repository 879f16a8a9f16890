"""Gas of a one-action proposal's life cycle, as transaction gas (21,000 intrinsic and calldata included).

Every figure is `receipt.gas_used` of a real transaction on ape's in-process eth-tester chain
(the `ethereum:local:test` network), directly comparable with the table in CONTRACTS.md.

Set-up: the real ShareToken (three holders minted, hence auto-delegated to themselves), the
Timelock and the Governor wired as `dao/chain/deploy.py` does (the Governor is the only proposer,
canceller and executor; the deployer renounced the admin role), and a target owned by the Timelock.
The proposal has one action, `target.set_value(42)`, and a one-line description.

- `propose`: the proposer's first proposal (threshold checked, fresh proposal slot).
- `cast_vote`: the first voter (`castVote(id, 1)`: fresh vote record and fresh "for" tally).
- `cast_vote_late`: a later voter voting the same way (the tally slot is already non-zero).
- `queue`: one `Timelock.schedule`.
- `execute`: one `Timelock.execute` calling the target (which writes one slot).

Run: `python -m bench.gas_governance` (prints JSON).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ETHER = 10**18


def _measure(accounts) -> dict[str, int]:
    from ape import chain, project

    from tests.unit.contracts.governance_fixtures import (
        Proposal,
        deploy_governance,
        deploy_votes_token,
        mine_to,
    )

    deployer, minter, alice, bob, carol = accounts[0], accounts[1], accounts[2], accounts[3], accounts[4]
    token = deploy_votes_token(project, deployer, minter)
    if token.kind != "ShareToken":
        raise RuntimeError("the gas figures are for the real ShareToken, which did not compile")
    gov = deploy_governance(project, deployer, token, delay=60, voting_delay=1, voting_period=20)
    for holder, amount in ((alice, 500 * ETHER), (bob, 300 * ETHER), (carol, 200 * ETHER)):
        token.mint(holder, amount)
    chain.mine(1)

    proposal = Proposal.of([(gov.target, "set_value", (42,), 0)], "Set the parameter to 42.")
    figures = {"propose": gov.governor.propose(*proposal.propose_args(), sender=alice).gas_used}
    mine_to(chain, gov.governor.proposalSnapshot(proposal.id))
    figures["cast_vote"] = gov.governor.castVote(proposal.id, 1, sender=alice).gas_used
    figures["cast_vote_late"] = gov.governor.castVote(proposal.id, 1, sender=bob).gas_used
    mine_to(chain, gov.governor.proposalDeadline(proposal.id))
    figures["queue"] = gov.governor.queue(*proposal.args(), sender=carol).gas_used
    chain.pending_timestamp += 61
    figures["execute"] = gov.governor.execute(*proposal.args(), sender=carol).gas_used
    assert gov.target.parameter() == 42
    return figures


def measure(accounts=None) -> dict[str, int]:
    """Transaction gas of propose, cast_vote, cast_vote_late, queue and execute.

    Uses the connected chain and `accounts` (ape test accounts) if given; otherwise connects to
    ape's in-process test network for the duration of the measurement.
    """
    if accounts is not None:
        return _measure(accounts)
    from ape import accounts as ape_accounts
    from ape import networks

    with networks.parse_network_choice("ethereum:local:test"):
        return _measure(ape_accounts.test_accounts)


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
