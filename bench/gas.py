"""Gas of the DAO's operations as one JSON object: `python -m bench.gas`.

Every figure is `receipt.gas_used` of a real transaction on ape's in-process chain (21,000
intrinsic and calldata included), comparable with ../shared/CONTRACTS.md. The system is deployed
and wired by `dao.chain.deploy.deploy_dao`, exactly as in production; token-level figures come from
`bench.gas_token` when it is present.
"""

from __future__ import annotations

import json
import sys

from dao.chain.units import ETHER

CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
RECIPE = "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"
REPORT = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"


def _addr(i: int) -> str:
    return "0x" + (0xC0000000 + i).to_bytes(20, "big").hex()


def measure_system(leaves: int = 1_000) -> dict[str, int]:
    from ape import accounts, chain, project
    from eth_utils import keccak

    from dao.chain.bindings import DAO
    from dao.chain.cids import cid_parts
    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.data.recipe import single_model_recipe
    from dao.holders.contribute import commitment_hash
    from governance.builders import retrain
    from valuation.merkle import mint_tree

    params = DeployParams.for_tests()
    a = accounts.test_accounts
    genesis = single_model_recipe(CID, 1000 * ETHER).to_json()
    deployment = deploy_dao(project, a[0], a[1], "ethereum:local:test", params, (RECIPE, keccak(genesis)))
    dao = DAO(deployment, project)
    gas: dict[str, int] = {}

    # A registration is two transactions (commit, then reveal with the stake): 'register' is both.
    salt = b"\x01" * 32
    commitment = commitment_hash(a[2].address, 0, CID, salt)
    gas["register_commit"] = dao.registry.commit_contribution(commitment, sender=a[2]).gas_used
    gas["register_reveal"] = dao.registry.register(
        0, *cid_parts(CID), salt, value=ETHER, sender=a[2]
    ).gas_used
    gas["register"] = gas["register_commit"] + gas["register_reveal"]
    chain.pending_timestamp += params.contribution_period
    chain.mine()
    mints = [(a[2].address, 600 * ETHER), (a[3].address, 400 * ETHER)]
    mints += [(_addr(i), 10**9) for i in range(leaves - len(mints))]
    tree = mint_tree(mints)
    total = sum(amount for _, amount in mints)
    commit = dao.settlement.commit(
        1,
        *cid_parts(REPORT),
        b"\x01" * 32,
        tree.root,
        total,
        b"\x00" * 32,
        value=params.operator_bond,
        sender=a[1],
    )
    gas["commit"] = commit.gas_used
    chain.pending_timestamp += params.challenge_window
    chain.mine()
    gas["finalize"] = dao.settlement.finalize(1, sender=a[4]).gas_used
    gas["claim_shares"] = dao.settlement.claim_shares(
        1, a[2], 600 * ETHER, tree.proof(0), sender=a[2]
    ).gas_used
    gas["claim_shares_proof_length"] = len(tree.proof(0))
    dao.settlement.claim_shares(1, a[3], 400 * ETHER, tree.proof(1), sender=a[3])

    price = dao.market.price()
    gas["request"] = dao.market.request(CID, value=price, sender=a[5]).gas_used
    gas["fulfill"] = dao.market.fulfill(1, REPORT, sender=a[1]).gas_used
    gas["deposit_revenue"] = dao.shares.distribute_eth(value=ETHER, sender=a[5]).gas_used
    gas["dividend_claim"] = dao.shares.claim(sender=a[2]).gas_used
    chain.mine()

    draft = retrain(dao, RECIPE, single_model_recipe(CID, 500 * ETHER).to_json())
    gas["propose"] = dao.governor.propose(
        draft.targets, draft.values, draft.calldatas, draft.description, sender=a[2]
    ).gas_used
    chain.mine(params.voting_delay + 1)
    proposal = dao.governor.hashProposal(draft.targets, draft.values, draft.calldatas, draft.description_hash)
    gas["cast_vote"] = dao.governor.castVote(proposal, 1, sender=a[2]).gas_used
    gas["cast_vote_late"] = dao.governor.castVote(proposal, 1, sender=a[3]).gas_used
    chain.mine(params.voting_period)
    gas["queue"] = dao.governor.queue(
        draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=a[2]
    ).gas_used
    chain.pending_timestamp += params.timelock_delay
    chain.mine()
    gas["execute"] = dao.governor.execute(
        draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=a[2]
    ).gas_used
    gas["claim_shares_leaves"] = leaves
    return gas


def main() -> None:
    from ape import accounts, networks
    from ape.logging import logger

    logger.set_level("WARNING")  # ape's per-transaction INFO lines go to stdout, where the JSON goes
    with networks.parse_network_choice("ethereum:local:test"):
        figures = measure_system()
        try:
            from bench import gas_token
        except ImportError:
            gas_token = None
        if gas_token is not None and hasattr(gas_token, "measure"):
            try:
                figures.update(gas_token.measure(accounts.test_accounts))
            except Exception as exc:  # report, but keep the system figures
                figures["gas_token_error"] = f"{type(exc).__name__}: {exc}"
    json.dump(figures, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
