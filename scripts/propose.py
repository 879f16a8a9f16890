"""`ape run propose retrain|params|resolve|operator`: submit a proposal to the Governor.

ape run propose retrain --recipe recipe.json --account TEST::2 --network ethereum:local:node
ape run propose params --voting-period 20 --quorum-bps 5% --account TEST::2
"""

import click
from ape.cli import ConnectedProviderCommand

from dao.chain.accounts import signing_account_option
from governance import actions
from governance.console import (
    echo_outcome,
    json_option,
    load_dao,
    parameter_options,
    parse_parameter_values,
    refusals_as_click_errors,
)

note_option = click.option("--note", default="", help="Free text stored in the proposal's description.")


@click.group()
def cli():
    """Propose a change to the DAO; share holders then vote on it."""


@cli.command(cls=ConnectedProviderCommand)
@signing_account_option()
@click.option("--recipe", required=True, help="A recipe JSON file (uploaded to IPFS) or the CID of one.")
@note_option
@json_option
def retrain(account, recipe, note, as_json):
    """Open the next epoch with a new recipe (data schema, models, valuation, emission)."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.propose_retrain(dao, recipe, account, note)
    echo_outcome(outcome, as_json)


@cli.command(cls=ConnectedProviderCommand)
@signing_account_option()
@parameter_options
@note_option
@json_option
def params(account, note, as_json, **values):
    """Change economic or governance parameters (give at least one)."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.propose_params(dao, account, note, **parse_parameter_values(values))
    echo_outcome(outcome, as_json)


@cli.command(cls=ConnectedProviderCommand)
@signing_account_option()
@click.argument("epoch", type=int)
@click.option("--uphold/--reject", required=True, help="Uphold (void the report) or reject the challenge.")
@click.option(
    "--challenge",
    "challenge_id",
    type=int,
    default=None,
    help="Which pending challenge to judge (printed by `ape run challenge`; needed when there are "
    "several, and the refusal lists them).",
)
@note_option
@json_option
def resolve(account, epoch, uphold, challenge_id, note, as_json):
    """Resolve a challenge of EPOCH's report (its only pending one unless --challenge says which)."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.propose_resolution(dao, epoch, uphold, account, note, challenge_id)
    echo_outcome(outcome, as_json)


@cli.command(cls=ConnectedProviderCommand)
@signing_account_option()
@click.argument("new_operator")
@note_option
@json_option
def operator(account, new_operator, note, as_json):
    """Replace the operator of the settlement and the prediction market."""
    dao = load_dao()
    with refusals_as_click_errors():
        outcome = actions.propose_operator(dao, new_operator, account, note)
    echo_outcome(outcome, as_json)
