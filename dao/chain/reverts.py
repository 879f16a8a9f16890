"""The one translation of contract reverts into sentences, for every caller (CLI, scripts, governance).

Every revert of ours says `contract: reason`; ape puts it in `revert_message` on the in-process chain,
Hardhat wraps it as "... reverted with reason string 'contract: reason'".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from dao.errors import DaoError

_HARDHAT_REASON = re.compile(r"reason string '(?P<reason>[^']*)'")
_CONTRACT_REASON = re.compile(r"^(?P<contract>[a-z_]+): (?P<why>.+)$")


class TransactionRefused(DaoError):
    """A contract reverted; the message is the contract's own reason, as a sentence."""


def revert_reason(exc: BaseException) -> str | None:
    """The `contract: reason` of a revert, from ape's message or Hardhat's "reason string '...'"."""
    message = getattr(exc, "revert_message", None) or str(exc)
    hardhat = _HARDHAT_REASON.search(message)
    if hardhat:
        message = hardhat["reason"]
    match = _CONTRACT_REASON.match(message.strip())
    return f"{match['contract']}: {match['why'].strip()}" if match else None


def explain(exc: BaseException, reason: str | None = None) -> str:
    """One sentence for a failed transaction, never a trace."""
    reason = reason or revert_reason(exc)
    if reason:
        contract, why = reason.split(": ", 1)
        return f"the {contract} contract refused: {why}"
    message = (getattr(exc, "revert_message", None) or str(exc)).strip()
    return f"the transaction failed: {message.splitlines()[0] if message else 'reverted'}"


@contextmanager
def refusals_as_errors() -> Iterator[None]:
    """Turn contract reverts inside the block into `TransactionRefused` with a readable sentence."""
    from ape.exceptions import ContractLogicError

    try:
        yield
    except ContractLogicError as exc:
        raise TransactionRefused(explain(exc)) from exc
