"""`dao epoch run|rebuild|finalize|show` and `dao verify`: the operator's epoch and anyone's check of it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from dao.chain.accounts import OPERATOR, resolve_account
from dao.chain.cids import report_cid as report_cid_of
from dao.chain.options import account_option, dao_session, network_option
from dao.chain.units import format_eth, format_shares, short_address

console = Console()


@click.group("epoch")
def epoch_group() -> None:
    """Run, finalize and inspect epochs."""


def _operator_key() -> bytes | None:
    """The operator's private key, or None when there is none (sealed data then stops the run).

    A key file of the wrong length stops here, before anything is read or committed: it is the
    operator's fault, never the contributors'.
    """
    from dao.errors import ConfigurationError
    from dao.paths import state_dir

    path = state_dir() / "operator.key"
    if not path.is_file():
        return None
    key = path.read_bytes()
    if len(key) != 32:
        raise ConfigurationError(
            f"{path} holds {len(key)} bytes, not a 32-byte operator key: restore it from your backup "
            "(nothing was read or committed)"
        )
    return key


def check_scheduler_privacy(scheduler: str | None, operator_key: bytes | None) -> None:
    """Refuse to ship unsealed private rows in plaintext: with an operator key (sealed data may be
    opened), a Dask scheduler off this machine must be reached over `tls://` (Dask's Security,
    configured in dask's `distributed.comm.tls` settings), never plain `tcp://`."""
    import ipaddress
    from urllib.parse import urlsplit

    from dao.epoch.compute import scheduler_address
    from dao.errors import ConfigurationError

    address = scheduler_address(scheduler)
    if address is None or operator_key is None:
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigurationError(
            f"the Dask scheduler {address} is reached over plain tcp:// off this machine, and this run "
            "holds the operator key: sealed data sets would travel unencrypted to the workers. Use "
            "tls://HOST:PORT with Dask's TLS settings, or a scheduler on this machine"
        )


def compute_options(command):
    """`--jobs N` local worker processes, or `--scheduler tcp://...` a Dask cluster (same report)."""
    command = click.option(
        "--scheduler",
        default=None,
        help="A Dask scheduler address (default: $DAO_DASK_SCHEDULER); trainings run on its workers.",
    )(command)
    return click.option(
        "--jobs", type=click.IntRange(min=-1), default=None, help="Local worker processes (-1: every core)."
    )(command)


@epoch_group.command("run")
@click.option("--epoch", type=int, default=None, help="The epoch (default: the current one).")
@click.option(
    "--validation",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The hold-out set (default: the one kept under the recipe's commitment in .dao/holdout).",
)
@compute_options
@network_option
@account_option(OPERATOR, "Operator account alias.")
def epoch_run(
    epoch: int | None,
    validation: Path | None,
    jobs: int | None,
    scheduler: str | None,
    network: str,
    account_alias: str,
) -> None:
    """Value the epoch's contributions, publish the report and commit it with the bond (resumable)."""
    from dao.epoch.compute import compute_backend
    from dao.epoch.pipeline import run_epoch

    operator_key = _operator_key()
    check_scheduler_privacy(scheduler, operator_key)
    with dao_session(network) as (dao, storage), compute_backend(jobs, scheduler):
        run = run_epoch(
            dao,
            storage,
            resolve_account(account_alias),
            epoch,
            validation.read_bytes() if validation else None,
            operator_key,
        )
    if run.report is None:  # a live epoch's step: metamodel committed, period extended, or voided
        click.echo(f"{run.note}, tx {run.tx_hash}")
        return
    print_report(run.report, run.report_cid)
    if run.committed_now:
        resumed = " (valuation resumed from the previous run)" if run.resumed else ""
        click.echo(f"epoch {run.epoch} committed: report {run.report_cid}, tx {run.tx_hash}{resumed}")
    else:
        click.echo(f"epoch {run.epoch} was already committed with report {run.report_cid}; nothing sent")
    timings = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in run.stages.items())
    if timings:
        click.echo(f"stages: {timings}")


@epoch_group.command("rebuild")
@click.argument("epoch", type=int)
@compute_options
@network_option
def epoch_rebuild(epoch: int, jobs: int | None, scheduler: str | None, network: str) -> None:
    """Recreate epoch EPOCH's lost metamodel file, byte-identical, from the epoch's inputs (the
    registry's contributions, the recipe and the hold-out set its report revealed)."""
    from dao.epoch.compute import compute_backend
    from dao.epoch.pipeline import rebuild_metamodel

    operator_key = _operator_key()
    check_scheduler_privacy(scheduler, operator_key)
    with dao_session(network) as (dao, storage), compute_backend(jobs, scheduler):
        rebuilt = rebuild_metamodel(dao, storage, epoch, operator_key)
    click.echo(
        f"epoch {epoch}'s metamodel rebuilt from the inputs of report {rebuilt.report_cid}: "
        f"{rebuilt.path} (sha256 {rebuilt.sha256})"
    )


@epoch_group.command("finalize")
@click.option("--epoch", type=int, default=None, help="The epoch (default: the current one).")
@network_option
@account_option(OPERATOR, "Any account: finalizing is permissionless.")
def epoch_finalize(epoch: int | None, network: str, account_alias: str) -> None:
    """Finalize a committed epoch once its challenge window has passed, then execute its slashes."""
    from dao.epoch.pipeline import execute_slashes, finalize_epoch

    with dao_session(network) as (dao, storage):
        number = epoch or int(dao.settlement.current_epoch())
        sender = resolve_account(account_alias)
        tx = finalize_epoch(dao, sender, number)
        slashed = execute_slashes(dao, storage, sender, number)
    click.echo(f"epoch {number} is final (tx {tx})" if tx else f"epoch {number} was already final")
    for contribution_id, amount in slashed:
        click.echo(f"slashed contribution #{contribution_id}: {format_eth(amount)} ETH to the share holders")


def print_report(report, report_cid: str) -> None:
    allocation = report.allocation
    table = Table(title=f"Epoch {report.epoch} report {report_cid}")
    for column in ("player", "game", "owner", "value", "95% joint interval", "evaluations"):
        table.add_column(column, justify="right" if column in ("value", "evaluations") else "left")
    owners = {f"#{c['id']}": c["contributor"] for c in report.inputs.get("contributions", [])}
    for game, values in (("data", report.data_values), ("model", report.model_values)):
        for player in values["players"]:
            owner = owners.get(player["name"])
            table.add_row(
                player["name"],
                game,
                short_address(owner) if owner else "-",
                f"{player['value']:+.4f}",
                f"[{player['ci_low']:+.4f}, {player['ci_high']:+.4f}]",
                str(values["evaluations"]),
            )
    console.print(table)
    mints = Table(title="Shares allocated and stakes slashed")
    mints.add_column("account / contribution")
    mints.add_column("shares", justify="right")
    for account, amount in allocation.items():
        mints.add_row(account, format_shares(amount))
    for contribution, amount in report.slashes.items():
        mints.add_row(f"slash contribution #{contribution}", f"{format_eth(amount)} ETH")
    console.print(mints)
    for contribution, reason in report.rejected.items():
        console.print(f"rejected contribution #{contribution}: {reason}")
    console.print(f"metamodel validation score {report.metamodel_score:+.4f}")


@epoch_group.command("show")
@click.argument("epoch", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report document itself.")
@network_option
def epoch_show(epoch: int, as_json: bool, network: str) -> None:
    """Print epoch EPOCH's scoring mode (live: metamodel commitment, resolution period, outcome posts)
    and its committed report as tables (or the report JSON; a live epoch without one: its state)."""
    from dao.epoch.valuation import EpochError
    from dao.outcomes.chain import live_state
    from valuation.report import ValuationReport

    with dao_session(network) as (dao, storage):
        live = live_state(dao, epoch)
        cid = report_cid_of(dao.settlement.epochs(epoch))
        data = storage.get(cid) if cid else None
    if as_json:
        if data is None and live is not None:
            click.echo(json.dumps({"scoring": "live", **live.to_dict()}, indent=2))
            return
        if data is None:
            raise EpochError(f"epoch {epoch} has no committed report")
        sys.stdout.buffer.write(data + b"\n")
        return
    print_scoring(epoch, live)
    if data is None:
        if live is None:
            raise EpochError(f"epoch {epoch} has no committed report")
        click.echo(f"epoch {epoch} has no committed report yet")
        return
    print_report(ValuationReport.from_json(data), cid)


def print_scoring(epoch: int, live) -> None:
    """One line for a static epoch; the live terms, commitment, period and posts for a live one."""
    if live is None:
        click.echo(f"epoch {epoch}: static scoring (a hold-out committed before contributions opened)")
        return
    committed = (
        f"metamodel {live.metamodel_cid} committed at block {live.metamodel_block}; resolution period "
        f"ends at block {live.resolution_end}"
        if live.metamodel_block
        else "no metamodel committed yet"
    )
    click.echo(
        f"epoch {epoch}: live scoring, reporter {live.reporter}; {committed}; extensions used "
        f"{live.extensions_used}/{live.max_extensions}; resolved rows {live.resolved_rows}/"
        f"{live.min_resolved_rows}"
    )
    if not live.posts:
        click.echo("no outcome posts")
        return
    table = Table(title=f"Epoch {epoch} outcome posts")
    for column in ("post", "block", "rows", "poster", "CID", "counts"):
        table.add_column(column, justify="right" if column in ("post", "block", "rows") else "left")
    for post in live.posts:
        table.add_row(
            str(post.post_id),
            str(post.block),
            str(post.n_rows),
            short_address(post.poster),
            post.cid,
            "excluded (challenge upheld)" if post.excluded else "yes",
        )
    console.print(table)


@click.command("verify")
@click.argument("epoch", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--key",
    "key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A private key that opens the epoch's sealed data sets: an auditor's key file (32 raw bytes "
    "or 64 hex digits; the recipe lists its public key). Default: the operator's .dao/operator.key, "
    "if this machine has one.",
)
@compute_options
@network_option
def verify_command(
    epoch: int, as_json: bool, key_file: Path | None, jobs: int | None, scheduler: str | None, network: str
) -> None:
    """Recompute epoch EPOCH's report and check it: integrity (allocation, slashes and roots are what
    its published numbers give), numbers (the recomputation agrees within the report's tolerance) and
    versions.

    Sealed data sets need a key that opens them (--key, an auditor's). Without one, everything
    public is checked, the sealed contributions are named as unchecked, and no number is recomputed.

    Exit status: 0 verified (integrity and numbers hold); 1 a check failed (worth a challenge);
    2 refused (bad key file, report or inputs unavailable); 3 everything public holds but sealed
    contributions could not be checked."""
    from dao.data.sealing import read_key_file
    from dao.epoch.compute import compute_backend
    from dao.epoch.verify import verify_epoch

    key = read_key_file(key_file) if key_file is not None else _operator_key()
    check_scheduler_privacy(scheduler, key)
    with dao_session(network) as (dao, storage), compute_backend(jobs, scheduler):
        result = verify_epoch(dao, storage, epoch, key)
    checks = {
        "integrity": "failed" if result.integrity else "ok",
        "numbers": "failed" if result.numbers else ("ok" if result.complete else "unchecked"),
        "versions": "differ" if result.version_warnings else "ok",
    }
    if as_json:
        click.echo(
            json.dumps(
                {
                    "epoch": epoch,
                    "report_cid": result.report_cid,
                    "match": result.match,
                    "complete": result.complete,
                    "exit_code": result.exit_code,
                    "checks": checks,
                    "unchecked": [{"contribution": i, "reason": why} for i, why in result.unchecked],
                    "failed_checks": result.failed_checks,
                    "tolerance": result.tolerance,
                    "max_abs_difference": result.max_abs_difference,
                    "differences": [
                        {"path": p, "committed": c, "recomputed": r} for p, c, r in result.differences
                    ],
                    "version_warnings": result.version_warnings,
                    "board_notes": result.board_notes,
                },
                default=str,
            )
        )
    elif result.match and not result.complete:
        click.echo(
            f"epoch {epoch}: everything public in the report {result.report_cid} checks out (integrity, "
            "on-chain commitments, inputs, hold-out reveal, public artifacts), but it is NOT fully "
            f"verified: {len(result.unchecked)} sealed contribution(s) could not be checked, so no "
            "number was recomputed"
        )
        for contribution_id, why in result.unchecked:
            click.echo(f"  unchecked contribution #{contribution_id}: {why}")
        click.echo(f"an auditor named in the recipe verifies fully with: dao verify {epoch} --key FILE")
    elif result.match:
        how = (
            "matches the recomputation byte for byte"
            if result.byte_identical
            else f"agrees with the recomputation within its tolerance {result.tolerance:g} "
            f"(largest difference {result.max_abs_difference:.3g})"
        )
        click.echo(f"epoch {epoch}: the report {result.report_cid} {how}")
    else:
        click.echo(f"epoch {epoch}: the report {result.report_cid} does NOT match the recomputation")
        click.echo(
            "failed checks: "
            + ", ".join(
                {
                    "integrity": "integrity (allocation, slashes or roots are not what the published "
                    "numbers give, or not what was committed on-chain)",
                    "numbers": f"numbers beyond the tolerance {result.tolerance:g}",
                    "versions": "library/engine versions differ from the report's",
                }[name]
                for name in result.failed_checks
            )
        )
        for contribution_id, why in result.unchecked:
            click.echo(f"unchecked contribution #{contribution_id}: {why}")
        for title, rows in (("Integrity", result.integrity), ("Numbers beyond tolerance", result.numbers)):
            if not rows:
                continue
            table = Table(title=title)
            for column in ("entry", "committed", "recomputed"):
                table.add_column(column)
            for path, committed, recomputed in rows[:50]:
                table.add_row(path, str(committed), str(recomputed))
            console.print(table)
            if len(rows) > 50:
                click.echo(f"… and {len(rows) - 50} more")
        click.echo(
            f"to dispute it during the challenge window: ape run challenge {epoch} "
            "--reason 'dao verify mismatch' --network ... --account ..."
        )
    for warning in result.version_warnings:
        click.echo(f"warning: library version differs ({warning}); numbers may differ beyond the tolerance")
    if not as_json:  # judged against the board at the commit; what changed after it is worth knowing
        for note in result.board_notes:
            click.echo(f"note: the outcome board changed after the report was committed: {note}")
    sys.exit(result.exit_code)
