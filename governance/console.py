"""The DAO as `ape console` and the `ape run` scripts see it: governance methods on the bindings.

`GovernedDAO` is `dao.chain.bindings.DAO` plus proposals(), propose_retrain(), propose_params(), vote(),
queue(), execute(), cancel() and challenge(). Senders are ape accounts or aliases (`"TEST::2"`).
The helpers at the bottom are what the scripts share: refusals become one `Error:` line and
outcomes are printed as text or JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import click

from dao.chain.bindings import DAO
from dao.errors import errors_as_exit
from governance import actions
from governance.proposals import ProposalView, describe, list_proposals, proposal, proposals_table


def _account(sender):
    if isinstance(sender, str):
        from dao.chain.accounts import resolve_account

        return resolve_account(sender)
    return sender


class GovernedDAO(DAO):
    """The deployed DAO with its governance at hand (`dao.proposals()`, `dao.vote(...)`, ...)."""

    def proposals(self) -> list[ProposalView]:
        """Every proposal of this deployment, oldest first."""
        return list_proposals(self)

    def proposal(self, proposal_id: int | str) -> ProposalView:
        """One proposal by id (or unique id prefix)."""
        return proposal(self, proposal_id)

    def show(self, proposal_id: int | str | None = None) -> None:
        """Print the proposals table, or one proposal in full."""
        if proposal_id is None:
            print_proposals(self.proposals(), self.deployment.network)
        else:
            click.echo("\n".join(describe(self.proposal(proposal_id))))

    def propose(self, draft, sender) -> actions.TxOutcome:
        """Submit a draft built by `governance.builders`."""
        return actions.propose(self, draft, _account(sender))

    def propose_retrain(self, recipe, sender, note: str = "") -> actions.TxOutcome:
        """Propose the next epoch's recipe: a JSON file path, a CID, or a `dao.data.recipe.Recipe`."""
        return actions.propose_retrain(self, recipe, _account(sender), note)

    def propose_params(self, sender, note: str = "", **changes: int) -> actions.TxOutcome:
        """Propose parameter changes, e.g. `dao.propose_params("TEST::2", voting_period=20)`."""
        return actions.propose_params(self, _account(sender), note, **changes)

    def propose_resolution(self, epoch: int, uphold: bool, sender, note: str = "") -> actions.TxOutcome:
        """Propose upholding (True) or rejecting (False) the challenge of `epoch`."""
        return actions.propose_resolution(self, epoch, uphold, _account(sender), note)

    def vote(self, proposal_id: int | str, support: str | int, sender, reason: str = "") -> actions.TxOutcome:
        """Vote "for", "against" or "abstain"."""
        return actions.vote(self, proposal_id, support, _account(sender), reason)

    def queue(self, proposal_id: int | str, sender) -> actions.TxOutcome:
        """Queue a passed proposal in the Timelock."""
        return actions.queue(self, proposal_id, _account(sender))

    def execute(self, proposal_id: int | str, sender) -> actions.TxOutcome:
        """Execute a queued proposal once the Timelock delay has passed."""
        return actions.execute(self, proposal_id, _account(sender))

    def cancel(self, proposal_id: int | str, sender) -> actions.TxOutcome:
        """Cancel your own proposal before voting opens."""
        return actions.cancel(self, proposal_id, _account(sender))

    def challenge(self, epoch: int, reason: str, sender) -> actions.TxOutcome:
        """Challenge `epoch`'s committed report; `reason` is stored on IPFS."""
        return actions.challenge(self, epoch, reason, _account(sender))


# -- shared by the `ape run` scripts ---------------------------------------------------------------


def _quiet_for_json(ctx: click.Context, param, value):
    """With --json, ape's INFO lines ("Connecting to ...", "Confirmed ...") would corrupt stdout."""
    from click.core import ParameterSource

    if ctx.params.get("as_json") and ctx.get_parameter_source(param.name) == ParameterSource.DEFAULT:
        return "WARNING"
    return value


def _json_flag(ctx: click.Context, param, value: bool) -> bool:
    if value:
        from ape.logging import LogLevel, logger

        if logger.level < LogLevel.WARNING:
            logger.set_level(LogLevel.WARNING)
    return value


def json_option(command):
    """`--json`: print JSON only (full ids and addresses); ape's own INFO logging is silenced."""
    from ape.cli import verbosity_option

    command = verbosity_option(callback=_quiet_for_json)(command)
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        is_eager=True,
        callback=_json_flag,
        help="Print JSON (full ids and addresses) and nothing else on stdout.",
    )(command)


@contextmanager
def refusals_as_click_errors() -> Iterator[None]:
    """Our errors (refusals, bad input, no deployment) as one `Error: ...` line: dao.errors' policy."""
    with errors_as_exit():
        yield


def load_dao() -> GovernedDAO:
    """The deployment recorded for the network the script is connected to."""
    with refusals_as_click_errors():
        return GovernedDAO.load()


def echo_outcome(outcome: actions.TxOutcome, as_json: bool = False) -> None:
    if as_json:
        click.echo(json.dumps(outcome.to_json(), indent=2))
    else:
        click.echo("\n".join(outcome.lines()))


# -- `ape run propose params`: one option per governance parameter, in the units people use -------

_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_parameter_value(name: str, text: str) -> int:
    """A parameter's value typed by a person: shares/ETH as decimals (`1.5`), durations with a unit
    (`600`, `10m`, `2d`), basis points as an integer or a percentage (`700`, `7%`), blocks as is."""
    from decimal import Decimal, InvalidOperation

    from governance.params import PARAMETERS

    parameter = PARAMETERS[name]
    raw = str(text).strip().replace("_", "").replace(",", "")
    try:
        if parameter.unit in ("wei", "shares"):
            if raw.endswith("wei"):
                return int(raw[:-3])
            amount = Decimal(raw) * 10**18
            if amount != amount.to_integral_value():
                raise InvalidOperation
            return int(amount)
        if parameter.unit == "seconds":
            if raw[-1:].lower() in _SECONDS:
                return int(Decimal(raw[:-1]) * _SECONDS[raw[-1].lower()])
            return int(raw)
        if parameter.unit == "bps" and raw.endswith("%"):
            return int(Decimal(raw[:-1]) * 100)
        return int(raw)
    except (InvalidOperation, ValueError):
        units = {
            "wei": "ETH, e.g. 0.1 (or 100000000000000000wei)",
            "shares": "shares, e.g. 1000 or 0.5",
            "seconds": "seconds, or with a unit: 600, 10m, 12h, 2d",
            "bps": "basis points or a percentage: 700 or 7%",
            "blocks": "blocks, e.g. 20",
        }[parameter.unit]
        raise click.BadParameter(
            f"{text!r} is not a value in {units}", param_hint=f"--{_flag(name)}"
        ) from None


def _flag(name: str) -> str:
    return name.replace("_", "-")


def parameter_options(command):
    """Add `--emission`, `--voting-period`, ... (every parameter of `governance.params`) to `command`."""
    from governance.params import PARAMETERS

    for name, parameter in reversed(PARAMETERS.items()):
        unit = {"wei": "ETH", "seconds": "s; or 10m, 2d", "bps": "bps; or 7%"}.get(
            parameter.unit, parameter.unit
        )
        command = click.option(
            f"--{_flag(name)}",
            name,
            default=None,
            help=f"New {name} ({unit}); held by the {parameter.holder}.",
        )(command)
    return command


def parse_parameter_values(values: dict) -> dict[str, int]:
    """The options that were given, as integers in the contracts' units."""
    return {name: parse_parameter_value(name, text) for name, text in values.items() if text is not None}


def print_proposals(views: list[ProposalView], network: str) -> None:
    """The proposals table on the terminal (wide enough when piped)."""
    import sys

    from rich.console import Console

    if not views:
        click.echo(f"no proposals yet on {network}")
        return
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(proposals_table(views, title=f"Proposals on {network}"))
