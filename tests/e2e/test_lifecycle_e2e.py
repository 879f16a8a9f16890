"""The demo's story on the in-process chain, checked against its own reports.

Three epochs through the library the CLI uses (the third live-scored): the on-chain outcome must be
exactly what the committed reports say, dividends must add up to the revenue, the cheats must earn
less than the honest, the live epoch must pay for what the outcomes show, and every report must
verify byte for byte.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from demo.story import LIVE_EPOCH, play

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


def test_every_epoch_verifies_and_the_report_page_exists(outcome):
    assert outcome.verified == {1: True, 2: True, 3: True}
    page = (outcome.out_dir / "report.html").read_text()
    figures = [f"values-epoch-{e}.png" for e in (1, 2, 3)] + ["ownership.png", "dividends.png", "score.png"]
    for figure in figures:
        assert figure in page
        assert (outcome.out_dir / figure).stat().st_size > 1000
    assert page.count("Static vs live values") == 1 and "Static vs live values, epoch 3" in page
    assert int(outcome.dao.settlement.current_epoch()) == 3


def _live_values(outcome) -> tuple[dict, dict, set]:
    """name -> static value, name -> live value, names slashed: the live epoch as its report says."""
    report = outcome.reports[LIVE_EPOCH]
    name_of = {f"#{cid}": name for (e, name), cid in outcome.contribution_ids.items() if e == LIVE_EPOCH}
    static = {
        name_of[p["name"]]: p["value"] for game in ("data", "model") for p in report.live["static"][game]
    }
    live = {
        name_of[p["name"]]: p["value"]
        for g in (report.data_values, report.model_values)
        for p in g["players"]
    }
    return static, live, {name_of[f"#{cid}"] for cid in report.slashes}


def test_the_live_epoch_pays_for_what_the_outcomes_show(outcome):
    from dao.outcomes.chain import live_state

    report = outcome.reports[LIVE_EPOCH]
    assert report.scoring_mode == "live" and report.meta_learner == "stake_weighted"
    state = live_state(outcome.dao, LIVE_EPOCH)
    posts = report.inputs["live"]["posts"]
    assert len(posts) == 4 and all(p["block"] > state.metamodel_block for p in posts)
    assert report.live["accepted_rows"] == sum(p["n_rows"] for p in posts) >= state.min_resolved_rows
    assert outcome.live_notes[0].startswith("look-ahead refused: epoch 3 has no metamodel commitment yet")
    static, live, slashed = _live_values(outcome)
    # Stale data looks useful on a hold-out from the past and hurts on what came after: slashed.
    assert static["provider 1"] > 0 > live["provider 1"] and "provider 1" in slashed
    assert static["provider 0"] > 0 and live["provider 0"] > 0 and "provider 0" not in slashed
    assert static["provider 2"] < 0 and live["provider 2"] < 0 and "provider 2" in slashed
    # The poor model's 20x stake gives it most of the stake-weighted metamodel's say: valued far
    # below every honest builder, and slashed.
    honest = [live[name] for name in ("builder 0", "builder 1", "builder 3")]
    assert live["builder 4"] < 0 < min(honest) and "builder 4" in slashed
    minted = outcome.claimed_shares
    assert minted[(LIVE_EPOCH, outcome.cast["provider 0"].address)] == int(
        report.allocation[outcome.cast["provider 0"].address]
    )
    assert (LIVE_EPOCH, outcome.cast["provider 1"].address) not in minted
