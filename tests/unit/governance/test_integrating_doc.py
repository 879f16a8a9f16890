"""docs/integrating.md's web3.py example claims shares from a report, as written, with plain web3.py
(issue 19). Only its connections to the outside are swapped: the HTTP node for the in-process
chain's web3, the deployment file for the deployment record, the IPFS gateway for the store, and
the "pending" gas estimate (eth-tester has none) for one at the head."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

from eth_account import Account
from eth_utils import keccak

from dao.chain.cids import cid_parts
from dao.chain.units import ETHER
from tests.unit.governance.epoch_one import deploy_with_genesis
from valuation.merkle import mint_tree
from valuation.report import ValuationReport

DOC = Path(__file__).resolve().parents[3] / "docs" / "integrating.md"
CLAIMANT = Account.from_key(keccak(text="integrating.md claimant"))

SWAPS = {
    'Web3(Web3.HTTPProvider("http://127.0.0.1:8545"))': "W3",
    'json.load(open(".dao/deployments/ethereum-local-node-31337.json"))': "RECORD",
    'urllib.request.urlopen(f"{IPFS_GATEWAY}/ipfs/{report_cid}").read()': "FETCH(report_cid)",
    # eth-tester (ape's in-process chain) cannot estimate at "pending"; Hardhat and geth can.
    'estimate_gas({"from": me.address}, block_identifier="pending")': 'estimate_gas({"from": me.address})',
}


def _example() -> str:
    text = DOC.read_text()
    [block] = re.findall(r"## Claiming shares from a report with web3.py\n```python\n(.*?)```", text, re.S)
    assert len(block.strip().splitlines()) <= 22  # "a ~20-line example"
    for original, replacement in SWAPS.items():
        assert block.count(original) == 1, f"the example no longer contains {original}"
        block = block.replace(original, replacement)
    return block


def test_the_documented_claim_works_with_plain_web3(project, accounts, chain, storage):
    deployment = deploy_with_genesis(project, accounts, "ethereum:local:test", storage)
    settlement = project.EpochSettlement.at(deployment.addresses["settlement"])
    accounts[0].transfer(CLAIMANT.address, ETHER)  # gas money
    mints = sorted([(CLAIMANT.address, 250 * ETHER), (accounts[3].address, 750 * ETHER)])
    tree = mint_tree(mints)
    report = ValuationReport(
        epoch=1,
        inputs={},
        data_values={},
        model_values={},
        metamodel_score=0.0,
        allocation={account: str(amount) for account, amount in mints},
        mint_root="0x" + tree.root.hex(),
        proofs={account: ["0x" + p.hex() for p in tree.proof(i)] for i, (account, _) in enumerate(mints)},
    )
    cid = storage.add(report.to_json())
    chain.pending_timestamp += int(settlement.contribution_period())
    chain.mine()
    bond = int(settlement.operator_bond())
    settlement.commit(
        1,
        *cid_parts(cid),
        b"\x01" * 32,
        tree.root,
        1000 * ETHER,
        b"\x00" * 32,
        value=bond,
        sender=accounts[1],
    )
    chain.pending_timestamp += int(settlement.challenge_window())
    chain.mine()
    settlement.finalize(1, sender=accounts[5])

    record = json.loads(json.dumps(asdict(deployment)))  # what the deployment file holds
    scope = {
        "W3": chain.provider.web3,
        "RECORD": record,
        "FETCH": storage.get,
        "PRIVATE_KEY": CLAIMANT.key,
        "IPFS_GATEWAY": "unused",
    }
    exec(compile(_example(), str(DOC), "exec"), scope)  # noqa: S102 - our own documentation

    shares = project.ShareToken.at(deployment.addresses["shares"])
    assert shares.balanceOf(CLAIMANT.address) == 250 * ETHER
    chain.mine()
    assert shares.getVotes(CLAIMANT.address) == 250 * ETHER  # minted shares come delegated
    assert scope["receipt"].status == 1
