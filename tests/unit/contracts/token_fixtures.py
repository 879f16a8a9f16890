"""Helpers for the ShareToken tests: test doubles compiled by ape-vyper, EIP-712 signatures.

The doubles live in `tests/unit/contracts/doubles/` (outside ape's `contracts/`), so they are compiled
from source here with ape's compiler manager; the result is an ordinary ape ContractContainer.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from eth_account import Account

DOUBLES = Path(__file__).resolve().parent / "doubles"
ZERO = "0x0000000000000000000000000000000000000000"
ETHER = 10**18
MAX_UINT = 2**256 - 1


@cache
def double(name: str):
    """The ContractContainer of `tests/unit/contracts/doubles/<name>.vy`."""
    from ape import compilers, project

    source = (DOUBLES / f"{name}.vy").read_text()
    return compilers.compile_source("vyper", source, project=project, contractName=name)


def delegate(token, holder, to):
    """`token.delegate(to)` from `holder` (ape 0.8.52's EIP-7702 `delegate` property hides it)."""
    return token.invoke_transaction("delegate", getattr(to, "address", to), sender=holder)


def _domain(token, chain_id: int) -> dict:
    return {
        "name": "Metamodel Share",
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": token.address,
    }


def sign_permit(token, owner, spender, value, nonce, deadline, chain_id, key=None):
    """(v, r, s) of an EIP-2612 permit signed by `owner` (or by `key`)."""
    message = {
        "owner": owner.address,
        "spender": getattr(spender, "address", spender),
        "value": value,
        "nonce": nonce,
        "deadline": deadline,
    }
    types = {
        "Permit": [
            {"name": "owner", "type": "address"},
            {"name": "spender", "type": "address"},
            {"name": "value", "type": "uint256"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ]
    }
    signed = Account.sign_typed_data(key or owner.private_key, _domain(token, chain_id), types, message)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def sign_delegation(token, signer, delegatee, nonce, expiry, chain_id):
    """(v, r, s) of an OpenZeppelin `Delegation(address delegatee,uint256 nonce,uint256 expiry)`."""
    types = {
        "Delegation": [
            {"name": "delegatee", "type": "address"},
            {"name": "nonce", "type": "uint256"},
            {"name": "expiry", "type": "uint256"},
        ]
    }
    message = {"delegatee": getattr(delegatee, "address", delegatee), "nonce": nonce, "expiry": expiry}
    signed = Account.sign_typed_data(signer.private_key, _domain(token, chain_id), types, message)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def owed_ok(actual: int, exact, distributions: int = 1) -> bool:
    """Dividends round down: within one wei (per distribution) below the exact share, never above."""
    return exact - distributions <= actual <= exact
