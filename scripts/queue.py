"""`ape run queue PROPOSAL_ID`: schedule a passed proposal in the Timelock."""

import click
from ape.cli import ConnectedProviderCommand

from dao.chain.accounts import signing_account_option
from governance import actions
from governance.console import echo_outcome, json_option, load_dao, refusals_as_click_errors


@click.command(cls=ConnectedProviderCommand)
@signing_account_option()
@click.argument("proposal_id")
@json_option
def cli(account, proposal_id, as_json):
    """Queue PROPOSAL_ID once voting has closed and it passed."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.queue(dao, proposal_id, account)
    echo_outcome(outcome, as_json)
