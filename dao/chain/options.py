"""The options every chain-facing `dao` command shares: network, account, a connected session, amounts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from dao.chain.units import ETHER

network_option = click.option(
    "--network",
    default="test",
    show_default=True,
    help="test (in-process chain), node (the local node: `dao node start`) or any ape network choice.",
)


def account_option(default: str, help_text: str):
    return click.option("--account", "account_alias", default=default, show_default=True, help=help_text)


@contextmanager
def dao_session(network: str) -> Iterator[tuple]:
    """Connect, load the recorded deployment and the storage backend."""
    from dao.chain.bindings import DAO, connected
    from dao.storage import get_storage

    with connected(network):
        yield DAO.load(), get_storage()


def parse_eth(text: str) -> int:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not an amount of ETH") from None
    if value <= 0:
        raise click.BadParameter("the stake must be positive")
    return int(value * ETHER)
