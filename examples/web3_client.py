"""A DAO client in plain web3.py: only `abi/` (via the deployment record) and docs/integrating.md.

No ape and none of this repository's Python: what an integrator would write. Every transaction is
estimated against the "pending" state with a 20% margin, as docs/integrating.md advises.

    python examples/web3_client.py --rpc http://127.0.0.1:8545 \\
        --deployment .dao/deployments/ethereum-local-node-31337.json --ipfs-dir .dao/ipfs \\
        --key 0xPRIVATE_KEY COMMAND ...

Commands: claim-shares EPOCH | claim-dividends | transfer TO WEI | delegate [TO] |
propose CONTRACT FUNCTION [ARG ...] --description TEXT | vote ID for|against|abstain | queue ID |
execute ID. Each prints what it did and `tx 0x…`; `propose` prints `proposal ID`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

SUPPORT = {"against": 0, "for": 1, "abstain": 2}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Client:
    def __init__(self, rpc: str, deployment: Path, key: str, ipfs_dir: Path | None):
        self.w3 = Web3(Web3.HTTPProvider(rpc))
        self.record = json.loads(deployment.read_text())
        self.me = self.w3.eth.account.from_key(key)
        self.ipfs_dir = ipfs_dir
        types = {"shares": "ShareToken", "registry": "ContributionRegistry", "settlement": "EpochSettlement",
                 "market": "PredictionMarket", "timelock": "Timelock", "governor": "Governor"}  # fmt: skip
        self.c = {name: self.contract(name, kind) for name, kind in types.items()}

    def contract(self, name: str, kind: str):
        return self.w3.eth.contract(address=self.record["addresses"][name], abi=self.record["abis"][kind])

    def send(self, call, value: int = 0):
        """Estimate at "pending" + 20% (vote checkpoints are per block), sign, send, wait."""
        tx = {"from": self.me.address, "value": value}
        tx["gas"] = call.estimate_gas(tx, block_identifier="pending") * 12 // 10
        tx["nonce"] = self.w3.eth.get_transaction_count(self.me.address, "pending")
        signed = self.me.sign_transaction(call.build_transaction(tx))
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt.status != 1:
            sys.exit(f"transaction {receipt.transactionHash.hex()} failed (status 0)")
        print(f"tx 0x{receipt.transactionHash.hex().removeprefix('0x')}")
        return receipt

    # -- IPFS: the embedded store keeps each block at blocks/<2 hex>/<sha256 hex> (kubo's UnixFS) --
    def ipfs_cat(self, codec: int, digest: bytes) -> bytes:
        hexdigest = digest.hex()
        block = (self.ipfs_dir / "blocks" / hexdigest[:2] / hexdigest).read_bytes()
        if hashlib.sha256(block).digest() != digest:
            sys.exit(f"block {hexdigest} in {self.ipfs_dir} fails its hash check")
        if codec == 0x55:  # raw: the block is the content
            return block
        node = list(_protobuf(block))  # dag-pb: Links (2) then Data (1) holding a UnixFS node
        links = [dict(_protobuf(link))[1] for number, link in node if number == 2]
        unixfs = dict(_protobuf(next((v for number, v in node if number == 1), b"")))
        children = (self.ipfs_cat(0x55 if h[:2] == b"\x01\x55" else 0x70, h[-32:]) for h in links)
        return unixfs.get(2, b"") + b"".join(children)

    # -- commands ---------------------------------------------------------------------------------
    def claim_shares(self, epoch: int) -> None:
        settlement = self.c["settlement"]
        committed = settlement.events.EpochCommitted.get_logs(
            from_block=self.record["block"], argument_filters={"epoch": epoch}
        )
        if not committed or not settlement.functions.is_final(epoch).call():
            sys.exit(f"epoch {epoch} has no final report yet")
        args = committed[-1].args  # the last commit of an epoch is its report
        report = json.loads(self.ipfs_cat(args.report_codec, args.report_digest))
        if self.me.address not in report["allocation"]:
            sys.exit(f"{self.me.address} has no shares in epoch {epoch}'s report")
        amount, proof = int(report["allocation"][self.me.address]), report["proofs"][self.me.address]
        n = int.from_bytes(b"\x12\x20" + args.report_digest, "big")
        print(f"report {''.join(B58[n // 58**i % 58] for i in range(46))[::-1]}: {amount} shares")
        self.send(settlement.functions.claim_shares(epoch, self.me.address, amount, proof))

    def claim_dividends(self) -> None:
        owed = self.c["shares"].functions.withdrawable_dividends(self.me.address).call()
        print(f"dividends: {owed[0]} wei ETH, {owed[1]} revenue-token units")
        self.send(self.c["shares"].functions.claim())

    def transfer(self, to: str, amount: int) -> None:
        self.send(self.c["shares"].functions.transfer(Web3.to_checksum_address(to), amount))
        print(f"transferred {amount} shares to {to}: they carry no votes until {to} delegates")

    def delegate(self, to: str | None) -> None:
        self.send(self.c["shares"].functions.delegate(Web3.to_checksum_address(to or self.me.address)))

    def propose(self, name: str, function: str, args: list[str], description: str) -> None:
        target = self.c[name]
        inputs = target.get_function_by_name(function).abi["inputs"]
        if len(inputs) != len(args):
            sys.exit(f"{name}.{function} takes {len(inputs)} arguments, got {len(args)}")
        numeric = [i["type"].startswith(("uint", "int")) for i in inputs]
        values = [int(a, 0) if n else a for n, a in zip(numeric, args, strict=True)]
        calldata = target.encode_abi(function, args=values)
        # OpenZeppelin's suffix: only this account may propose it (a copied transaction cannot).
        description = f"{description}\n\n#proposer={self.me.address}"
        governor = self.c["governor"]
        receipt = self.send(governor.functions.propose([target.address], [0], [calldata], description))
        [created] = governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)
        print(f"proposal {created.args.proposalId}")

    def vote(self, proposal_id: int, support: str) -> None:
        self.send(self.c["governor"].functions.castVote(proposal_id, SUPPORT[support]))

    def _actions(self, proposal_id: int) -> tuple:
        """A proposal's actions live only in its ProposalCreated event (proposalId is not indexed)."""
        logs = self.c["governor"].events.ProposalCreated.get_logs(from_block=self.record["block"])
        found = [log.args for log in logs if log.args.proposalId == proposal_id]
        if not found:
            sys.exit(f"no proposal {proposal_id}")
        a = found[0]
        return a.targets, a.values, a.calldatas, Web3.keccak(text=a.description)

    def queue(self, proposal_id: int) -> None:
        self.send(self.c["governor"].functions.queue(*self._actions(proposal_id)))

    def execute(self, proposal_id: int) -> None:
        self.send(self.c["governor"].functions.execute(*self._actions(proposal_id)))


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        value |= (data[i] & 0x7F) << shift
        shift, i = shift + 7, i + 1
        if data[i - 1] < 0x80:
            return value, i


def _protobuf(data: bytes):
    """(field number, value) pairs of a protobuf message: varints and length-delimited bytes only."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        if key & 7 == 0:
            value, i = _varint(data, i)
        elif key & 7 == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        else:
            raise ValueError(f"unexpected protobuf wire type {key & 7}")
        yield key >> 3, value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rpc", required=True)
    parser.add_argument("--deployment", required=True, type=Path)
    parser.add_argument("--key", required=True, help="the sender's private key (hex)")
    parser.add_argument("--ipfs-dir", type=Path, help="the embedded IPFS store (claim-shares)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("claim-shares").add_argument("epoch", type=int)
    commands.add_parser("claim-dividends")
    transfer = commands.add_parser("transfer")
    transfer.add_argument("to")
    transfer.add_argument("amount", type=int, help="shares in wei (18 decimals)")
    commands.add_parser("delegate").add_argument("to", nargs="?")
    propose = commands.add_parser("propose", help="one call the Timelock makes, e.g. market set_price 1")
    propose.add_argument("contract", choices=["shares", "registry", "settlement", "market", "governor"])
    propose.add_argument("function")
    propose.add_argument("args", nargs="*")
    propose.add_argument("--description", required=True)
    vote = commands.add_parser("vote")
    vote.add_argument("proposal_id", type=int)
    vote.add_argument("support", choices=list(SUPPORT))
    for name in ("queue", "execute"):
        commands.add_parser(name).add_argument("proposal_id", type=int)
    args = parser.parse_args(argv)

    if args.command == "claim-shares" and args.ipfs_dir is None:
        parser.error("claim-shares reads the report from IPFS: pass --ipfs-dir")
    client = Client(args.rpc, args.deployment, args.key, args.ipfs_dir)
    try:
        run(client, args)
    except ContractLogicError as exc:  # the estimate reverted: nothing was sent
        sys.exit(f"{args.command} refused: {exc.message}")


def run(client: Client, args: argparse.Namespace) -> None:
    if args.command == "claim-shares":
        client.claim_shares(args.epoch)
    elif args.command == "claim-dividends":
        client.claim_dividends()
    elif args.command == "transfer":
        client.transfer(args.to, args.amount)
    elif args.command == "delegate":
        client.delegate(args.to)
    elif args.command == "propose":
        client.propose(args.contract, args.function, args.args, args.description)
    elif args.command == "vote":
        client.vote(args.proposal_id, args.support)
    else:
        getattr(client, args.command)(args.proposal_id)


if __name__ == "__main__":
    main()
