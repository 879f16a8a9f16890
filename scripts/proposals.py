"""`ape run proposals [PROPOSAL_ID]`: the proposals with state, votes, quorum and deadline."""

import json

import click
from ape.cli import ConnectedProviderCommand

from governance.console import json_option, load_dao, print_proposals, refusals_as_click_errors
from governance.proposals import describe, list_proposals, proposal


@click.command(cls=ConnectedProviderCommand)
@click.argument("proposal_id", required=False)
@json_option
def cli(proposal_id, as_json):
    """List every proposal, or show PROPOSAL_ID in full with its decoded actions."""
    dao = load_dao()
    with refusals_as_click_errors():
        views = [proposal(dao, proposal_id)] if proposal_id else list_proposals(dao)
    if as_json:
        document = views[0].to_json() if proposal_id else [view.to_json() for view in views]
        click.echo(json.dumps(document, indent=2))
    elif proposal_id:
        click.echo("\n".join(describe(views[0])))
    else:
        print_proposals(views, dao.deployment.network)
