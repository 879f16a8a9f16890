"""Amounts as people read them (18-decimal shares and wei in ETH) and addresses shortened: one module."""

from __future__ import annotations

from decimal import Decimal

ETHER = 10**18


def exact_amount(wei: int | str) -> str:
    """18-decimal units, exactly, trailing zeros trimmed: 1234500000000000000000 -> '1,234.5'."""
    text = f"{Decimal(int(wei)) / ETHER:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact_eth(wei: int | str) -> str:
    return f"{exact_amount(wei)} ETH"


def format_eth(wei: int | str) -> str:
    """ETH for tables: at most 6 decimals."""
    return f"{int(wei) / ETHER:,.6f}".rstrip("0").rstrip(".")


def format_shares(wei: int | str) -> str:
    """Shares for tables: 2 decimals."""
    return f"{int(wei) / ETHER:,.2f}"


def short_address(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}" if len(address) > 12 else address


def wait_hint(seconds: int) -> str:
    """How long to wait, and how to skip the wait on a local node (its clock moves only when told)."""
    seconds = max(int(seconds), 0)
    return f"{seconds} s (on a local node: `dao node mine --seconds {seconds}`)"
