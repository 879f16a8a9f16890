"""`dao ipfs`: add, read, pin and export content with the configured backend."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dao.storage import get_storage


@click.group()
def ipfs() -> None:
    """Content-addressed storage (embedded store, or kubo when DAO_IPFS_API is set)."""


@ipfs.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def add_command(file: Path) -> None:
    """Add FILE and print only its CID (the one `ipfs add` prints)."""
    click.echo(get_storage().add(file))


@ipfs.command("cat")
@click.argument("cid")
def cat_command(cid: str) -> None:
    """Write the content of CID to standard output, verified block by block."""
    out = sys.stdout.buffer
    for piece in get_storage().open(cid):
        out.write(piece)
    out.flush()


@ipfs.command("pin")
@click.argument("cid")
def pin_command(cid: str) -> None:
    """Pin CID (it must be present)."""
    get_storage().pin(cid)
    click.echo(f"pinned {cid}")


@ipfs.command("has")
@click.argument("cid")
def has_command(cid: str) -> None:
    """Exit 0 when every block of CID is present and intact, 1 otherwise."""
    present = get_storage().has(cid)
    click.echo("present" if present else "absent")
    raise SystemExit(0 if present else 1)


@ipfs.command("export")
@click.argument("cid")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_command(cid: str, out: Path) -> None:
    """Write CID's blocks to OUT as a CARv1 file (`ipfs dag import OUT` on a kubo node)."""
    from dao.storage.car import export_car

    count = export_car(get_storage(), cid, out)
    click.echo(f"wrote {count} blocks to {out}")
