"""Account aliases as ape spells them: `TEST::N` for test accounts, otherwise a keyfile alias."""

from __future__ import annotations

import os
import re
import sys

import click

from dao.errors import ConfigurationError

_TEST_ALIAS = re.compile(r"^TEST::(\d+)$")

# The demo's cast on test chains: who plays which part.
DEPLOYER = "TEST::0"
OPERATOR = "TEST::1"


def resolve_account(alias: str):
    """The ape account for `alias`, ready to sign (`ready_to_sign`); a clear error when it does not exist."""
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
    return ready_to_sign(accounts.load(alias))


def passphrase_variable(alias: str) -> str:
    """ape's environment variable for a keyfile account's passphrase."""
    return f"APE_ACCOUNTS_{alias}_PASSPHRASE"


def ready_to_sign(account):
    """A keyfile account (`ape accounts import`) unlocked once for the command's transactions.

    ape asks to confirm and for the passphrase at every transaction; a command such as `dao deploy`
    sends twenty. The passphrase comes from ape's `APE_ACCOUNTS_<alias>_PASSPHRASE` when set, else
    from one prompt on the terminal; with neither, the command stops before sending anything.
    Other accounts (test accounts, hardware wallets) are returned as they are.
    """
    from ape.exceptions import AccountsError
    from ape_accounts import KeyfileAccount

    if not isinstance(account, KeyfileAccount):
        return account
    variable = passphrase_variable(account.alias)
    if not os.environ.get(variable) and not sys.stdin.isatty():
        raise ConfigurationError(
            f"keyfile account {account.alias!r} is locked and nothing can prompt for its passphrase "
            f"here: set {variable}"
        )
    try:
        account.set_autosign(True)  # unlock() reads the variable, else prompts once
    except AccountsError as exc:  # InvalidPasswordError included
        raise ConfigurationError(
            f"cannot unlock keyfile account {account.alias!r}: {exc or 'wrong passphrase'} (from {variable} "
            "or the prompt)"
        ) from None
    return account


def signing_account_option():
    """ape's `--account` option for `ape run` scripts, with keyfile accounts `ready_to_sign`."""
    from ape.cli import AccountAliasPromptChoice

    def callback(ctx, param, value):
        if not value:
            value = param.type.select_account()  # ape's interactive choice, as its own option does
        try:
            return ready_to_sign(value)
        except ConfigurationError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option("--account", type=AccountAliasPromptChoice(), callback=callback)
