"""`ape run execute PROPOSAL_ID`: run a queued proposal's actions once the Timelock delay has passed."""

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
    """Execute PROPOSAL_ID through the Timelock."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.execute(dao, proposal_id, account)
    echo_outcome(outcome, as_json)
