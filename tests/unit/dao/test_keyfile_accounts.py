"""Keyfile accounts (`ape accounts import`) sign our commands' transactions without a prompt per
transaction once unlocked from ape's APE_ACCOUNTS_<alias>_PASSPHRASE, and refuse, before sending
anything, when the passphrase is missing or wrong and no terminal can ask for it (issue 19).
The CLI commands with a real ape data folder run on the node: tests/e2e/keyfile_account_check.py."""

from __future__ import annotations

import io
import json

import pytest
from ape_accounts import KeyfileAccount
from eth_account import Account

from dao.chain.accounts import passphrase_variable, ready_to_sign
from dao.errors import ConfigurationError

PASSPHRASE = "correct horse"


@pytest.fixture
def keyfile(tmp_path, monkeypatch):
    """A keyfile as `ape accounts import kf_alice` writes it; no terminal to prompt on."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.delenv(passphrase_variable("kf_alice"), raising=False)
    key = Account.create()
    path = tmp_path / "kf_alice.json"
    path.write_text(json.dumps(Account.encrypt(key.key, PASSPHRASE)))
    return KeyfileAccount(keyfile_path=path), key.address


def test_the_passphrase_from_the_environment_unlocks_it_for_every_transaction(keyfile, accounts, monkeypatch):
    account, address = keyfile
    monkeypatch.setenv(passphrase_variable("kf_alice"), PASSPHRASE)
    account = ready_to_sign(account)
    accounts[0].transfer(address, 10**18)
    for _ in range(2):  # ape would ask "Sign:" (and the passphrase) at each one
        receipt = account.transfer(accounts[1], 1_000)
        assert receipt.sender == address and not receipt.failed


def test_without_the_passphrase_or_a_terminal_it_refuses_by_name(keyfile):
    account, _ = keyfile
    with pytest.raises(ConfigurationError, match="set APE_ACCOUNTS_kf_alice_PASSPHRASE"):
        ready_to_sign(account)


def test_a_wrong_passphrase_is_refused_by_name(keyfile, monkeypatch):
    account, _ = keyfile
    monkeypatch.setenv(passphrase_variable("kf_alice"), "wrong")
    with pytest.raises(ConfigurationError, match="cannot unlock keyfile account 'kf_alice'"):
        ready_to_sign(account)


def test_test_accounts_pass_through(accounts):
    assert ready_to_sign(accounts[0]) is accounts[0]
