"""Real accounts on the node (issue 19): `dao deploy`, `dao contribute` and `ape run claim` sign with
keyfile accounts as `ape accounts import` writes them, in a temporary ape data folder
(APE_DATA_FOLDER), unlocked by ape's APE_ACCOUNTS_<alias>_PASSPHRASE (the refusal without it, and
signing without a prompt, are tested in-process: tests/unit/dao/test_keyfile_accounts.py).

Not a test module (pytest does not collect this name): tests/e2e/test_readme_first_epoch.py calls
`check_keyfile_account` once its block has left a final epoch 1 in which TEST::5 has not claimed.
It deploys a second DAO (its own state folder; the README's deployment record is untouched),
contributes to it and claims TEST::5's shares of the README's epoch 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from web3 import Web3

from dao.chain.cids import cid_text
from dao.chain.units import ETHER
from dao.data.examples import build_demo_artifacts
from dao.storage import EmbeddedStorage
from tests.e2e.web3_client_check import hardhat_account

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _keyfile(data_folder: Path, alias: str, key: bytes, passphrase: str) -> None:
    """What `ape accounts import ALIAS` writes (its prompts need a terminal): an encrypted keyfile."""
    path = data_folder / "accounts" / f"{alias}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(Account.encrypt(key, passphrase)))


def _run(env: dict, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )


def _record(state_dir: Path, w3: Web3) -> dict:
    return json.loads((state_dir / "deployments" / f"ethereum-local-node-{w3.eth.chain_id}.json").read_text())


def check_keyfile_account(url: str, env: dict, state_dir: Path, ipfs_dir: Path) -> None:
    w3 = Web3(Web3.HTTPProvider(url))
    work = state_dir.parent / "keyfile-accounts"
    data_folder = work / "ape-data"
    deployer, operator = Account.create(), Account.create()
    holder, contributor = hardhat_account(5), hardhat_account(9)  # TEST::9: funded, no part so far
    cast = {
        "kf_deployer": deployer,
        "kf_operator": operator,
        "kf_holder": holder,
        "kf_contributor": contributor,
    }
    passphrases = {alias: f"{alias} passphrase" for alias in cast}
    for alias, account in cast.items():
        _keyfile(data_folder, alias, account.key, passphrases[alias])
    funder = hardhat_account(8)  # the fresh deployer pays for the deployment
    tx = {"to": deployer.address, "value": 10 * ETHER, "gas": 21_000, "gasPrice": w3.eth.gas_price}
    tx |= {"nonce": w3.eth.get_transaction_count(funder.address), "chainId": w3.eth.chain_id}
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(funder.sign_transaction(tx).raw_transaction)
    )

    keyfiles = {**env, "APE_DATA_FOLDER": str(data_folder)}
    unlocked = keyfiles | {f"APE_ACCOUNTS_{alias}_PASSPHRASE": text for alias, text in passphrases.items()}
    settlement_abi = _record(state_dir, w3)["abis"]["EpochSettlement"]

    # `ape run claim` with the keyfile (TEST::5's shares of the README's epoch 1), in the background
    # while a second DAO is deployed: the two accounts' transactions are independent.
    record = _record(state_dir, w3)
    shares = w3.eth.contract(address=record["addresses"]["shares"], abi=record["abis"]["ShareToken"])
    assert shares.functions.balanceOf(holder.address).call() == 0
    claim = ("ape", "run", "claim", "--network", "ethereum:local:node", "--account", "kf_holder")
    claiming = subprocess.Popen(
        claim,
        cwd=ROOT,
        env=unlocked,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )

    try:
        _deploy_and_contribute(w3, url, unlocked, work, settlement_abi, deployer, operator, contributor)
    except BaseException:
        claiming.kill()  # no stray process when the check fails
        raise
    stdout, stderr = claiming.communicate(timeout=600)
    assert claiming.returncode == 0, stdout + stderr[-3000:]
    assert "shares of epoch 1" in stdout
    settlement = w3.eth.contract(address=record["addresses"]["settlement"], abi=settlement_abi)
    [committed] = settlement.events.EpochCommitted.get_logs(from_block=record["block"])
    cid = cid_text(committed.args.report_codec, committed.args.report_digest)
    report = json.loads(EmbeddedStorage(ipfs_dir).get(cid))
    assert shares.functions.balanceOf(holder.address).call() == int(report["allocation"][holder.address])


def _deploy_and_contribute(w3, url, unlocked, work, settlement_abi, deployer, operator, contributor) -> None:
    """`dao deploy` and `dao contribute` with keyfiles, on a second DAO with its own state folder."""
    second = unlocked | {"DAO_STATE_DIR": str(work / "state"), "DAO_NODE_URL": url}
    deploy = ("deploy", "--network", "node", "--fast", "--account", "kf_deployer")
    deployed = _run(second, str(BIN / "dao"), *deploy, "--operator", "kf_operator")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr[-3000:]
    second_record = _record(work / "state", w3)
    assert second_record["deployer"] == deployer.address
    second_settlement = w3.eth.contract(address=second_record["addresses"]["settlement"], abi=settlement_abi)
    assert second_settlement.functions.operator().call() == operator.address
    assert second_settlement.functions.current_epoch().call() == 1  # opened with the example recipe

    data = work / "provider-0.csv"  # what `dao example` writes, without a process for it
    data.write_bytes(build_demo_artifacts().provider_csvs[0])
    contribute = ("contribute", "data", str(data), "--stake", "0.1", "--network", "node")
    contributed = _run(second, str(BIN / "dao"), *contribute, "--account", "kf_contributor")
    assert contributed.returncode == 0, contributed.stdout + contributed.stderr[-3000:]
    registry = w3.eth.contract(
        address=second_record["addresses"]["registry"], abi=second_record["abis"]["ContributionRegistry"]
    )
    [registered] = registry.events.ContributionRegistered.get_logs(from_block=second_record["block"])
    assert (registered.args.contributor, registered.args.epoch, registered.args.stake) == (
        contributor.address,
        1,
        ETHER // 10,
    )
