"""examples/web3_client.py, a plain web3.py client, on the node after the README's first epoch
(issue 19): claim_shares from the report in the IPFS store, claim dividends, transfer, delegate,
propose, castVote, queue and execute, each effect read back on-chain with web3.

Not a test module (pytest does not collect this name): tests/e2e/test_readme_first_epoch.py calls
`check_web3_client` once its block has left a final epoch 1 in which TEST::2 has claimed and
TEST::3..6 have not. It claims TEST::3's shares, makes TEST::7 a holder and changes the prediction
price through governance: call it after the checks that read that state.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from web3 import Web3
from web3.logs import DISCARD

from dao.chain.cids import cid_text
from dao.storage import EmbeddedStorage

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "examples" / "web3_client.py"
# hardhat.config.js's mnemonic: ape's TEST::N accounts, funded on the node.
MNEMONIC = "test test test test test test test test test test test junk"
# What an integrator's client may import: the standard library, web3 and eth_account; nothing of ours.
ALLOWED_IMPORTS = {"__future__", "argparse", "hashlib", "json", "sys", "pathlib", "web3", "eth_account"}


def hardhat_account(index: int):
    """ape's TEST::index on the node."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def client_imports() -> set[str]:
    tree = ast.parse(CLIENT.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    return {name.split(".")[0] for name in names}


def check_web3_client(url: str, env: dict, state_dir: Path, ipfs_dir: Path) -> None:
    assert client_imports() <= ALLOWED_IMPORTS, f"the client imports {client_imports() - ALLOWED_IMPORTS}"
    w3 = Web3(Web3.HTTPProvider(url))
    deployment = state_dir / "deployments" / f"ethereum-local-node-{w3.eth.chain_id}.json"
    record = json.loads(deployment.read_text())
    kinds = {"shares": "ShareToken", "settlement": "EpochSettlement", "market": "PredictionMarket",
             "governor": "Governor"}  # fmt: skip
    c = {n: w3.eth.contract(address=record["addresses"][n], abi=record["abis"][k]) for n, k in kinds.items()}
    holder, newcomer = hardhat_account(3), hardhat_account(7)

    def client(key, *argv: str) -> str:
        command = [sys.executable, str(CLIENT), "--rpc", url, "--deployment", str(deployment)]
        command += ["--ipfs-dir", str(ipfs_dir), "--key", key.key.hex(), *argv]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr[-3000:]}"
        return result.stdout

    def receipt_of(output: str):
        [tx] = re.findall(r"^tx (0x[0-9a-f]{64})$", output, re.M)
        return w3.eth.get_transaction_receipt(tx)

    def mine(blocks: int = 1, seconds: int = 0) -> None:
        if seconds:
            w3.provider.make_request("evm_increaseTime", [seconds])
        w3.provider.make_request("hardhat_mine", [hex(blocks)])

    shares, governor = c["shares"].functions, c["governor"].functions

    # claim_shares: the amount is the one in the report the chain names (read here through our store).
    [committed] = c["settlement"].events.EpochCommitted.get_logs(from_block=record["block"])
    cid = cid_text(committed.args.report_codec, committed.args.report_digest)
    report = json.loads(EmbeddedStorage(ipfs_dir).get(cid))
    allocated = int(report["allocation"][holder.address])
    assert allocated > 0 and shares.balanceOf(holder.address).call() == 0
    output = client(holder, "claim-shares", "1")
    assert f"report {cid}" in output
    claimed = c["settlement"].events.SharesClaimed().process_receipt(receipt_of(output), errors=DISCARD)
    assert [(e.args.account, e.args.amount) for e in claimed] == [(holder.address, allocated)]
    assert shares.balanceOf(holder.address).call() == allocated
    mine()
    assert shares.getVotes(holder.address).call() == allocated  # minted shares come delegated

    # Dividends: the slashed stake became revenue at finality; the pool's share came with the claim.
    owed_eth, _ = shares.withdrawable_dividends(holder.address).call()
    assert owed_eth > 0
    before = w3.eth.get_balance(holder.address)
    receipt = receipt_of(client(holder, "claim-dividends"))
    gas_paid = receipt.gasUsed * receipt.effectiveGasPrice
    assert w3.eth.get_balance(holder.address) == before + owed_eth - gas_paid
    assert list(shares.withdrawable_dividends(holder.address).call()) == [0, 0]

    # Transfer, then delegate: received shares vote only once their holder delegates.
    moved = allocated // 4
    client(holder, "transfer", newcomer.address, str(moved))
    assert shares.balanceOf(newcomer.address).call() == moved
    assert shares.balanceOf(holder.address).call() == allocated - moved
    mine()
    assert shares.getVotes(newcomer.address).call() == 0
    client(newcomer, "delegate")
    mine()
    assert shares.delegates(newcomer.address).call() == newcomer.address
    assert shares.getVotes(newcomer.address).call() == moved

    # Govern: double the prediction price through the Timelock.
    price = c["market"].functions.price().call()
    output = client(holder, "propose", "market", "set_price", str(2 * price), "--description", "x2 price")
    proposal = int(re.search(r"^proposal (\d+)$", output, re.M)[1])
    assert governor.proposalProposer(proposal).call() == holder.address
    assert governor.state(proposal).call() == 0  # Pending
    mine(governor.votingDelay().call() + 1)
    assert governor.state(proposal).call() == 1  # Active
    client(holder, "vote", str(proposal), "for")
    client(newcomer, "vote", str(proposal), "for")
    against, for_votes, abstain = governor.proposalVotes(proposal).call()
    assert (against, for_votes, abstain) == (0, allocated, 0)  # both voters' snapshot weights
    assert governor.hasVoted(proposal, newcomer.address).call()
    mine(governor.votingPeriod().call())
    assert governor.state(proposal).call() == 4  # Succeeded
    client(holder, "queue", str(proposal))
    assert governor.state(proposal).call() == 5  # Queued
    eta = governor.proposalEta(proposal).call()
    mine(seconds=eta - w3.eth.get_block("latest").timestamp + 1)
    receipt = receipt_of(client(newcomer, "execute", str(proposal)))
    assert governor.state(proposal).call() == 7  # Executed
    assert c["market"].functions.price().call() == 2 * price
    [executed] = c["governor"].events.ProposalExecuted().process_receipt(receipt, errors=DISCARD)
    assert executed.args.proposalId == proposal
