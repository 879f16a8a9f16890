"""Issue 16, item 6: a lost metamodel file is rebuilt byte for byte from the epoch's inputs by
`dao epoch rebuild N`, and the error met when it is missing names that command."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from dao.chain.accounts import OPERATOR, resolve_account
from dao.cli import main as dao_cli
from dao.epoch.pipeline import run_epoch
from dao.epoch.store import load_metamodel, metamodel_path
from dao.epoch.valuation import EpochError
from tests.unit.dao.test_epoch_faults import epoch_one  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def test_a_deleted_metamodel_is_rebuilt_byte_identical_by_dao_epoch_rebuild(epoch_one, tmp_path):  # noqa: F811
    dao, storage, key, _ = epoch_one
    run = run_epoch(dao, storage, resolve_account(OPERATOR), 1, operator_key=key)
    path = metamodel_path(run.report.inputs_hash)
    original = hashlib.sha256(path.read_bytes()).hexdigest()

    path.unlink()
    with pytest.raises(EpochError, match="`dao epoch rebuild 1`"):
        load_metamodel(dao, storage, 1)

    result = CliRunner().invoke(dao_cli, ["epoch", "rebuild", "1", "--network", "ethereum:local:test"])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == original
    assert f"sha256 {original}" in result.output
    assert load_metamodel(dao, storage, 1).predict_proba is not None


def test_rebuilding_an_epoch_without_a_report_is_a_clear_error(epoch_one):  # noqa: F811
    result = CliRunner().invoke(dao_cli, ["epoch", "rebuild", "1", "--network", "ethereum:local:test"])
    assert result.exit_code != 0
    assert "epoch 1 has no committed report, hence no metamodel to rebuild" in result.output
