"""The demo's story on the in-process chain, checked against its own reports.

Two epochs through the library the CLI uses: the on-chain outcome must be exactly what the
committed reports say, dividends must add up to the revenue, the cheats must earn less than the
honest, and both reports must verify byte for byte.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from demo.story import play

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    state = tmp_path_factory.mktemp("state")
    patch = pytest.MonkeyPatch()
    patch.setenv("DAO_STATE_DIR", str(state))
    patch.setenv("DAO_IPFS_DIR", str(state / "ipfs"))
    patch.delenv("DAO_IPFS_API", raising=False)
    try:
        result = play("test", Console(quiet=True), out_dir=state / "out")
        result.out_dir = state / "out"
        yield result
    finally:
        patch.undo()


def test_minted_shares_are_the_reports_allocations(outcome):
    dao = outcome.dao
    expected: dict[str, int] = {}
    for epoch, report in outcome.reports.items():
        assert report.total_mint == int(dao.settlement.epochs(epoch).minted)
        for account, amount in report.allocation.items():
            assert outcome.claimed_shares[(epoch, account)] == int(amount)
            expected[account] = expected.get(account, 0) + int(amount)
    assert int(dao.shares.totalSupply()) == sum(expected.values())
    for account, amount in expected.items():
        assert int(dao.shares.balanceOf(account)) == amount  # nobody traded shares in the story


def test_slashes_are_the_reports_slashes(outcome):
    dao = outcome.dao
    executed = 0
    for epoch, report in outcome.reports.items():
        assert report.slashes, f"epoch {epoch} slashes nobody, yet two providers flip 40% of labels"
        for contribution_id, amount in report.slashes.items():
            assert outcome.executed_slashes[(epoch, int(contribution_id))] == int(amount)
            assert int(dao.registry.contributions(int(contribution_id)).slashed) == int(amount)
            executed += 1
    assert executed == len(outcome.executed_slashes)


def test_dividends_paid_equal_revenue_up_to_dust(outcome):
    dao = outcome.dao
    distributed = int(dao.shares.total_distributed_eth())
    assert distributed == outcome.revenue_paid > 0
    claimed = sum(outcome.dividends_claimed.values())
    assert claimed == int(dao.shares.total_claimed_eth())
    holders = sum(1 for a in outcome.cast.values() if int(dao.shares.balanceOf(a)))
    deposits = len(outcome.dividends_timeline) * 3  # at most three deposits per timeline step
    assert 0 <= distributed - claimed <= holders * deposits
    owed = sum(int(dao.shares.withdrawable_dividends(a)[0]) for a in outcome.cast.values())
    assert int(dao.shares.balance) >= owed  # the token holds what it owes


def test_cheats_earn_less_than_the_honest(outcome):
    dao = outcome.dao
    shares = {name: int(dao.shares.balanceOf(account)) for name, account in outcome.cast.items()}
    roles = outcome.roles
    honest_providers = [shares[n] for n, r in roles.items() if n.startswith("provider") and r == "honest"]
    honest_builders = [shares[n] for n, r in roles.items() if n.startswith("builder") and r == "honest"]
    for cheat in ("provider 2", "provider 5", "provider 7"):
        assert shares[cheat] < min(honest_providers), cheat
    for cheat in ("builder 4", "builder 5"):
        assert shares[cheat] < min(honest_builders), cheat
    # The copier and its victim together earn no more than the victim would alone (grouped).
    assert shares["provider 7"] == 0


def test_both_epochs_verify_and_the_report_page_exists(outcome):
    assert outcome.verified == {1: True, 2: True}
    page = (outcome.out_dir / "report.html").read_text()
    for figure in ("values-epoch-1.png", "values-epoch-2.png", "ownership.png", "dividends.png", "score.png"):
        assert figure in page
        assert (outcome.out_dir / figure).stat().st_size > 1000
    assert int(outcome.dao.settlement.current_epoch()) == 2
