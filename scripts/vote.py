"""`ape run vote PROPOSAL_ID for|against|abstain [--reason TEXT]`: vote with your shares at the snapshot."""

import click
from ape.cli import ConnectedProviderCommand

from dao.chain.accounts import signing_account_option
from governance import actions
from governance.console import echo_outcome, json_option, load_dao, refusals_as_click_errors


@click.command(cls=ConnectedProviderCommand)
@signing_account_option()
@click.argument("proposal_id")
@click.argument("support", type=click.Choice(sorted(actions.SUPPORT), case_sensitive=False))
@click.option("--reason", default="", help="Why you vote this way (recorded in the VoteCast event).")
@json_option
def cli(account, proposal_id, support, reason, as_json):
    """Vote on PROPOSAL_ID (its id or a unique prefix, as `ape run proposals` shows)."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.vote(dao, proposal_id, support, account, reason)
    echo_outcome(outcome, as_json)
