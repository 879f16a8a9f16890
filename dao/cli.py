"""The `dao` command line. Each command group lives in the module that owns its job."""

from __future__ import annotations

import click

from dao import __version__
from dao.errors import errors_as_exit


class _DaoGroup(click.Group):
    """Our own errors as one readable line and their exit status (dao.errors.errors_as_exit)."""

    def invoke(self, ctx: click.Context):
        with errors_as_exit():
            return super().invoke(ctx)


@click.group(cls=_DaoGroup)
@click.version_option(__version__, prog_name="dao")
def main() -> None:
    """Metamodel DAO: contribute data and models, run epochs, claim shares and dividends."""


def _register_commands() -> None:
    from dao.chain.cli import abi_command, deploy_command, example_command
    from dao.chain.node import node
    from dao.epoch.cli import epoch_group, verify_command
    from dao.holders.cli import contribute_group, status_command
    from dao.market.cli import predict_command, serve_command
    from dao.outcomes.cli import outcomes_group
    from dao.storage.cli import ipfs

    main.add_command(node)
    main.add_command(ipfs)
    main.add_command(deploy_command)
    main.add_command(example_command)
    main.add_command(abi_command)
    for command in (contribute_group, epoch_group, verify_command, outcomes_group):
        main.add_command(command)
    for command in (predict_command, serve_command, status_command):
        main.add_command(command)


_register_commands()
