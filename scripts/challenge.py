"""`ape run challenge EPOCH --reason TEXT`: dispute a committed report, with the challenge bond."""

import click
from ape.cli import ConnectedProviderCommand

from dao.chain.accounts import signing_account_option
from governance import actions
from governance.console import echo_outcome, json_option, load_dao, refusals_as_click_errors


@click.command(cls=ConnectedProviderCommand)
@signing_account_option()
@click.argument("epoch", type=int)
@click.option("--reason", required=True, help="Why the report is wrong (stored on IPFS, its CID on-chain).")
@json_option
def cli(account, epoch, reason, as_json):
    """Challenge EPOCH's report during its challenge window; governance then resolves it."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.challenge(dao, epoch, reason, account)
    echo_outcome(outcome, as_json)
