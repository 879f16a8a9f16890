"""Sealed data never travels in plaintext (issue 16): with the operator key in hand, `dao epoch run`
and `dao verify` refuse a plain tcp:// Dask scheduler off this machine; tls:// and loopback pass."""

from __future__ import annotations

import pytest

from dao.epoch.cli import check_scheduler_privacy
from dao.errors import ConfigurationError

KEY = b"k" * 32


@pytest.mark.parametrize(
    "address", ["tcp://10.0.0.5:8786", "scheduler.example.org:8786", "tcp://[2001:db8::1]:8786"]
)
def test_plain_tcp_off_this_machine_is_refused_with_the_key(address, monkeypatch):
    monkeypatch.delenv("DAO_DASK_SCHEDULER", raising=False)
    with pytest.raises(ConfigurationError, match="tls://"):
        check_scheduler_privacy(address, KEY)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("tls://10.0.0.5:8786", KEY),
        ("tcp://127.0.0.1:8786", KEY),
        ("tcp://localhost:8786", KEY),
        ("tcp://10.0.0.5:8786", None),
        (None, KEY),
    ],
)
def test_tls_loopback_or_no_private_data_pass(address, key, monkeypatch):
    monkeypatch.delenv("DAO_DASK_SCHEDULER", raising=False)
    check_scheduler_privacy(address, key)


def test_the_environment_s_scheduler_is_checked_too(monkeypatch):
    monkeypatch.setenv("DAO_DASK_SCHEDULER", "tcp://10.0.0.5:8786")
    with pytest.raises(ConfigurationError):
        check_scheduler_privacy(None, KEY)
