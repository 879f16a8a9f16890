"""Our compiled ABIs against OpenZeppelin 5's (issue 19): indexers and wallets built for OpenZeppelin
find every function selector and event topic of `IGovernor` on the Governor and of `IERC5805`,
`IERC20Permit`, `IERC6372` on the ShareToken.

The reference is the compiled interfaces of the npm package `@openzeppelin/contracts@5`
(`node_modules/@openzeppelin/contracts/build/contracts/*.json`, a devDependency: `npm ci`). A
failure lists every missing signature.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_utils import keccak

from dao.chain.abi import contract_abis

ROOT = Path(__file__).resolve().parents[3]
OZ_BUILD = ROOT / "node_modules" / "@openzeppelin" / "contracts" / "build" / "contracts"

# (our contract, OpenZeppelin interface) pairs that must be covered in full.
PAIRS = [
    ("Governor", "IGovernor"),
    ("ShareToken", "IERC5805"),
    ("ShareToken", "IERC20Permit"),
    ("ShareToken", "IERC6372"),
]


def _type(entry: dict) -> str:
    """The canonical ABI type of one parameter (tuples spelled out, as selectors need)."""
    kind = entry["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in entry["components"]) + ")" + kind[len("tuple") :]
    return kind


def signature(entry: dict) -> str:
    return f"{entry['name']}({','.join(_type(i) for i in entry['inputs'])})"


def _entries(abi: list[dict]) -> dict[tuple[str, str], dict]:
    """{(function|event, canonical signature): entry}: the selector / topic is keccak of the signature."""
    return {(e["type"], signature(e)): e for e in abi if e["type"] in ("function", "event")}


def oz_abi(interface: str) -> list[dict]:
    path = OZ_BUILD / f"{interface}.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `npm ci` (@openzeppelin/contracts is a devDependency)")
    return json.loads(path.read_text())["abi"]


@pytest.fixture(scope="module")
def ours(project) -> dict[str, list[dict]]:
    return contract_abis(project)


def missing(our_abi: list[dict], reference: list[dict]) -> list[str]:
    """Reference functions and events whose selector/topic, output types or indexed flags we lack."""
    have = _entries(our_abi)
    gaps = []
    for key, entry in _entries(reference).items():
        kind, sig = key
        mine = have.get(key)
        if mine is None:
            gaps.append(f"{kind} {sig}")
            continue
        if kind == "function":
            got, want = ([_type(o) for o in e["outputs"]] for e in (mine, entry))
            if got != want:
                gaps.append(f"function {sig} returns {got}, not {want}")
        else:
            got, want = ([bool(i.get("indexed")) for i in e["inputs"]] for e in (mine, entry))
            if got != want:
                gaps.append(f"event {sig} is indexed differently")
    return gaps


@pytest.mark.parametrize(("contract", "interface"), PAIRS)
def test_every_openzeppelin_selector_and_topic_is_present(ours, contract, interface):
    gaps = missing(ours[contract], oz_abi(interface))
    assert gaps == [], f"{contract} lacks {len(gaps)} entries of OpenZeppelin's {interface}:\n" + "\n".join(
        gaps
    )


def test_the_comparison_finds_what_is_missing(ours):
    """The check itself can fail: a Governor ABI without two IGovernor entries is reported as such."""
    trimmed = [e for e in ours["Governor"] if e.get("name") not in ("castVoteBySig", "ProposalCreated")]
    gaps = missing(trimmed, oz_abi("IGovernor"))
    assert gaps == [
        "event ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)",
        "function castVoteBySig(uint256,uint8,address,bytes)",
    ]


def test_governor_events_use_openzeppelin_parameter_names(ours):
    """Decoders that go by name (web3.py's `event.args.proposalId`, subgraphs) read our events."""
    have = _entries(ours["Governor"])
    wrong = [
        f"{sig}: {[i['name'] for i in have[(kind, sig)]['inputs']]}"
        for (kind, sig), entry in _entries(oz_abi("IGovernor")).items()
        if kind == "event"
        and [i["name"] for i in have[(kind, sig)]["inputs"]] != [i["name"] for i in entry["inputs"]]
    ]
    assert wrong == []


def test_share_token_events_use_openzeppelin_parameter_names(ours):
    """votes.vy declares OZ's names; the ERC-20 `Transfer` (Vyper cannot name a field `from`) gets
    them in the published ABI (`dao.chain.abi`)."""
    have = _entries(ours["ShareToken"])
    wrong = []
    for interface in ("IERC5805", "IERC20"):
        for (kind, sig), entry in _entries(oz_abi(interface)).items():
            mine = have.get((kind, sig))
            if (
                kind == "event"
                and mine
                and [i["name"] for i in mine["inputs"]] != [i["name"] for i in entry["inputs"]]
            ):
                wrong.append(sig)
    assert wrong == []


def test_governor_supports_the_interface_ids_openzeppelin_computes(ours, project, accounts):
    """`type(IGovernor).interfaceId` is the XOR of the selectors IGovernor itself declares (not the
    inherited IERC165/IERC6372 ones); OpenZeppelin's Governor also answers for the 5.0 id (without
    `getProposalId`). Computed here from the npm ABI, compared with the deployed Governor's answers."""
    from tests.unit.contracts.governance_fixtures import deploy_governance, deploy_votes_token

    inherited = {"supportsInterface", "clock", "CLOCK_MODE"}
    interface_id = 0
    for entry in oz_abi("IGovernor"):
        if entry["type"] == "function" and entry["name"] not in inherited:
            interface_id ^= int.from_bytes(keccak(text=signature(entry))[:4], "big")
    legacy = interface_id ^ int.from_bytes(
        keccak(text="getProposalId(address[],uint256[],bytes[],bytes32)")[:4], "big"
    )
    token = deploy_votes_token(project, accounts[0], accounts[9])
    governor = deploy_governance(project, accounts[0], token).governor
    for supported in (interface_id, legacy, 0x01FFC9A7):
        assert governor.supportsInterface(supported.to_bytes(4, "big")), hex(supported)
    for unsupported in (0xFFFFFFFF, 0x00000000, interface_id ^ 1):
        assert not governor.supportsInterface(unsupported.to_bytes(4, "big")), hex(unsupported)


def test_the_share_tokens_only_gap_is_openzeppelins_custom_error():
    """Besides functions and events, OZ's token interfaces declare one custom error,
    `VotesExpiredSignature(uint256)`; Vyper 0.4 has no custom errors, so `delegateBySig` reverts with
    the reason string "votes: signature expired". If OZ adds another, this test names it."""
    others = {
        (entry["type"], entry["name"])
        for interface in ("IERC5805", "IERC20Permit", "IERC6372", "IERC20")
        for entry in oz_abi(interface)
        if entry["type"] not in ("function", "event")
    }
    assert others == {("error", "VotesExpiredSignature")}
