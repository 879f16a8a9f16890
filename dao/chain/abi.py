"""Every contract's ABI as plain JSON, for clients that do not use ape (`dao abi`, `abi/`, the
deployment record). The ABIs come from ape's compiled contract types of this project."""

from __future__ import annotations

import json
from pathlib import Path

from dao.chain.deployments import CONTRACT_TYPES

# Vyper cannot name an event field `from` (a keyword), so the ERC-20 `Transfer` event of Vyper
# (and snekmate) is `Transfer(sender, receiver, value)`. Its topic and encoding are OpenZeppelin's;
# only the names differ, and decoders that go by name (web3.py's `process_receipt`, ethers) expect
# OZ's. The published ABIs carry OZ's names. ape's own contract types keep the compiler's.
_OZ_EVENT_NAMES = {"Transfer": {"sender": "from", "receiver": "to"}}


def _oz_names(entry: dict) -> dict:
    renames = _OZ_EVENT_NAMES.get(entry.get("name", "")) if entry.get("type") == "event" else None
    if not renames:
        return entry
    inputs = [{**arg, "name": renames.get(arg["name"], arg["name"])} for arg in entry["inputs"]]
    return {**entry, "inputs": inputs}


def contract_abis(project) -> dict[str, list[dict]]:
    """{contract type name: its ABI} for every contract of the DAO's table, with OpenZeppelin's
    parameter names for the ERC-20 `Transfer` event."""
    abis = {}
    for type_name in sorted(set(CONTRACT_TYPES.values())):
        contract_type = getattr(project, type_name).contract_type
        dumped = [entry.model_dump(mode="json", by_alias=True) for entry in contract_type.abi]
        abis[type_name] = [_oz_names(entry) for entry in dumped]
    return abis


def abi_json(abi: list[dict]) -> str:
    """One canonical text per ABI (sorted keys, two-space indent), so that files diff cleanly."""
    return json.dumps(abi, indent=2, sort_keys=True) + "\n"


def write_abis(out_dir: Path, project) -> list[Path]:
    """Write `<ContractType>.json` for every contract of the DAO into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for type_name, abi in contract_abis(project).items():
        path = out_dir / f"{type_name}.json"
        path.write_text(abi_json(abi))
        written.append(path)
    return written
