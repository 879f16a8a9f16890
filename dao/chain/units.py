"""Amounts as people read them: 18-decimal shares and wei shown in ETH, addresses shortened."""

from __future__ import annotations

ETHER = 10**18


def format_eth(wei: int | str) -> str:
    return f"{int(wei) / ETHER:,.6f}".rstrip("0").rstrip(".")


def format_shares(wei: int | str) -> str:
    return f"{int(wei) / ETHER:,.2f}"


def short_address(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"
