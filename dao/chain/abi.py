"""Every contract's ABI as plain JSON, for clients that do not use ape (`dao abi`, `abi/`, the
deployment record). The ABIs come from ape's compiled contract types of this project."""

from __future__ import annotations

import json
from pathlib import Path

from dao.chain.deployments import CONTRACT_TYPES


def contract_abis(project) -> dict[str, list[dict]]:
    """{contract type name: its ABI} for every contract of the DAO's table."""
    abis = {}
    for type_name in sorted(set(CONTRACT_TYPES.values())):
        contract_type = getattr(project, type_name).contract_type
        abis[type_name] = [entry.model_dump(mode="json", by_alias=True) for entry in contract_type.abi]
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
