"""Account aliases as ape spells them: `TEST::N` for test accounts, otherwise a keyfile alias."""

from __future__ import annotations

import re

from dao.errors import ConfigurationError

_TEST_ALIAS = re.compile(r"^TEST::(\d+)$")

# The demo's cast on test chains: who plays which part.
DEPLOYER = "TEST::0"
OPERATOR = "TEST::1"


def resolve_account(alias: str):
    """The ape account for `alias`; a clear error when it does not exist."""
    from ape import accounts

    match = _TEST_ALIAS.match(alias)
    if match:
        index = int(match[1])
        test_accounts = accounts.test_accounts
        if index >= len(test_accounts):
            raise ConfigurationError(f"{alias}: there are only {len(test_accounts)} test accounts")
        return test_accounts[index]
    if alias not in accounts.aliases:
        raise ConfigurationError(
            f"no account with alias {alias!r}: use TEST::N on test chains or import one with "
            "`ape accounts import ALIAS`"
        )
    return accounts.load(alias)
