"""ContributionRegistry + EpochSettlement with the real ShareToken: an epoch's life and failure paths."""

from __future__ import annotations

import ape
import pytest

from dao.chain.cids import cid_parts, cid_text, contribution_cid, report_cid
from dao.holders.contribute import register_contribution
from dao.storage.errors import InvalidCID
from valuation.merkle import mint_tree, slash_tree

ETHER = 10**18
CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
CID2 = "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"
CID_V1 = "bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq"
REPORT_PARTS = (0, b"\x0e" * 32)  # a CIDv0 as the contract takes it: (codec 0, sha2-256 digest)
PERIOD, WINDOW, UNBONDING = 600, 600, 3600
OPERATOR_BOND, CHALLENGE_BOND = ETHER // 10, ETHER // 20
GUARDIAN_TERM = 30 * 86_400  # seconds: longer than any test here runs, unless it says so


@pytest.fixture
def system(project, accounts, stable):
    owner, operator, guardian = accounts[0], accounts[1], accounts[7]
    shares = project.ShareToken.deploy("S", "S", stable, "S", "1", sender=owner)
    registry = project.ContributionRegistry.deploy(shares, ETHER // 100, UNBONDING, sender=owner)
    settlement = project.EpochSettlement.deploy(
        shares,
        registry,
        operator,
        PERIOD,
        WINDOW,
        OPERATOR_BOND,
        CHALLENGE_BOND,
        guardian,
        GUARDIAN_TERM,
        sender=owner,
    )
    registry.set_settlement(settlement, sender=owner)
    shares.set_minter(settlement, sender=owner)
    shares.set_epoch_mint_limits(2_000, 1_000_000 * ETHER, sender=owner)
    return shares, registry, settlement, owner, operator


def _advance(chain, seconds):
    chain.pending_timestamp += seconds
    chain.mine()


def _register(registry, who, kind, cid, stake=ETHER):
    return register_contribution(registry, kind, cid, stake, who)


def _opened(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    settlement.open_epoch("QmRecipeRecipeRecipeRecipeRecipeRecipeRecipe12", b"\x01" * 32, sender=owner)
    alice, bob = accounts[2], accounts[3]
    _register(registry, alice, 0, CID)
    _register(registry, bob, 1, CID2)
    _advance(chain, PERIOD)
    return alice, bob


def _commit(settlement, operator, mints, slashes):
    mtree, stree = mint_tree(mints), slash_tree(slashes)
    settlement.commit(
        1,
        *REPORT_PARTS,
        b"\x02" * 32,
        mtree.root,
        sum(a for _, a in mints),
        stree.root,
        value=OPERATOR_BOND,
        sender=operator,
    )
    return mtree, stree


def test_an_epoch_from_open_to_claims_slashes_and_withdrawals(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    alice, bob = _opened(system, chain, accounts)
    mints = [(alice.address, 700 * ETHER), (bob.address, 300 * ETHER)]
    mtree, stree = _commit(settlement, operator, mints, [(2, ETHER // 10)])
    with ape.reverts("settlement: challenge window open"):
        settlement.finalize(1, sender=accounts[5])
    _advance(chain, WINDOW)
    settlement.finalize(1, sender=accounts[5])
    assert settlement.is_final(1)

    settlement.claim_shares(1, alice, 700 * ETHER, mtree.proof(0), sender=accounts[6])  # anyone may submit
    assert shares.balanceOf(alice) == 700 * ETHER and shares.getVotes(alice) == 700 * ETHER
    with ape.reverts("settlement: shares already claimed"):
        settlement.claim_shares(1, alice, 700 * ETHER, mtree.proof(0), sender=alice)
    with ape.reverts("settlement: invalid proof"):
        settlement.claim_shares(1, bob, 700 * ETHER, mtree.proof(0), sender=bob)
    settlement.claim_shares(1, bob, 300 * ETHER, mtree.proof(1), sender=bob)

    settlement.execute_slash(1, 2, ETHER // 10, stree.proof(0), sender=accounts[6])
    with ape.reverts("settlement: slash already executed"):
        settlement.execute_slash(1, 2, ETHER // 10, stree.proof(0), sender=accounts[6])
    assert shares.withdrawable_dividends(alice)[0] == pytest.approx(7 * ETHER // 100, abs=2)

    registry.request_withdrawal(2, sender=bob)
    with ape.reverts("registry: still unbonding"):
        registry.withdraw(2, sender=bob)
    _advance(chain, UNBONDING)
    before = bob.balance
    receipt = registry.withdraw(2, sender=bob)
    assert bob.balance == before + ETHER - ETHER // 10 - receipt.total_fees_paid
    with ape.reverts("registry: already withdrawn"):
        registry.withdraw(2, sender=bob)
    settlement.withdraw(sender=operator)  # the operator's bond comes back
    with ape.reverts("settlement: nothing owed"):
        settlement.withdraw(sender=operator)


def test_registration_failures(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    salt = b"\x05" * 32
    parts = cid_parts(CID)
    with ape.reverts("registry: contributions are closed"):
        registry.register(0, *parts, salt, value=ETHER, sender=accounts[2])
    settlement.open_epoch("QmRecipeRecipeRecipeRecipeRecipeRecipeRecipe12", b"\x01" * 32, sender=owner)
    with ape.reverts("registry: stake below minimum"):
        registry.register(0, *parts, salt, value=1, sender=accounts[2])
    with ape.reverts("registry: unknown kind"):
        registry.register(2, *parts, salt, value=ETHER, sender=accounts[2])
    # A CID travels as (codec, sha2-256 digest): every pair the contract accepts is a well-formed
    # CID, and the rest is refused with the reason (the strings are checked before, by `cid_parts`).
    for codec in (1, 0x71, 0x12, 255):
        with ape.reverts("registry: invalid CID (unknown codec)"):
            registry.register(0, codec, parts[1], salt, value=ETHER, sender=accounts[2])
    with ape.reverts("registry: invalid CID (empty digest)"):
        registry.register(0, 0, b"\x00" * 32, salt, value=ETHER, sender=accounts[2])
    for bad in ("", "Qm123", CID[:-1] + "0", CID_V1.upper(), "x" * 46):
        with pytest.raises(InvalidCID):
            cid_parts(bad)
    with ape.reverts("registry: no such commitment"):
        registry.register(0, *parts, salt, value=ETHER, sender=accounts[2])
    _register(registry, accounts[2], 1, CID_V1)
    _register(registry, accounts[2], 0, CID)
    _register(registry, accounts[3], 0, CID)  # another contributor's copy: allowed, priority later
    assert registry.contributions(2).priority < registry.contributions(3).priority
    # The CID strings come back exactly from what the chain keeps (CIDv1 and CIDv0).
    assert [contribution_cid(registry.contributions(i)) for i in (1, 2, 3)] == [CID_V1, CID, CID]
    record = registry.contributions(1)
    assert (record.contributor, record.kind, record.epoch, record.stake) == (accounts[2].address, 1, 1, ETHER)
    assert (record.slashed, record.withdrawal_requested_at, record.withdrawn) == (0, 0, False)
    assert registry.contribution_count() == 3 and registry.commitment_count() == 3
    with ape.reverts("registry: epoch not settled"):
        registry.request_withdrawal(1, sender=accounts[2])
    with ape.reverts("registry: not the contributor"):
        registry.request_withdrawal(1, sender=accounts[3])
    with ape.reverts("registry: caller is not the settlement"):
        registry.slash(1, 1, sender=accounts[2])


def test_commit_and_settlement_failures(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    with ape.reverts("ownable: caller is not the owner"):
        settlement.open_epoch("QmX", b"\x00" * 32, sender=accounts[2])
    alice, bob = _opened(system, chain, accounts)
    with ape.reverts("settlement: previous epoch not final or void"):
        settlement.open_epoch("QmX", b"\x00" * 32, sender=owner)
    root = mint_tree([(alice.address, ETHER)]).root
    with ape.reverts("settlement: caller is not the operator"):
        settlement.commit(
            1, *REPORT_PARTS, b"\x00" * 32, root, ETHER, root, value=OPERATOR_BOND, sender=alice
        )
    with ape.reverts("settlement: wrong operator bond"):
        settlement.commit(1, *REPORT_PARTS, b"\x00" * 32, root, ETHER, root, value=1, sender=operator)
    with ape.reverts("settlement: total mint above the epoch emission"):
        settlement.commit(
            1, *REPORT_PARTS, b"\x00" * 32, root, 10**7 * ETHER, root, value=OPERATOR_BOND, sender=operator
        )
    with ape.reverts("settlement: empty report CID"):
        settlement.commit(
            1, 0, b"\x00" * 32, b"\x00" * 32, root, ETHER, root, value=OPERATOR_BOND, sender=operator
        )
    with ape.reverts("settlement: invalid report CID (unknown codec)"):
        settlement.commit(
            1, 0x71, b"\x0e" * 32, b"\x00" * 32, root, ETHER, root, value=OPERATOR_BOND, sender=operator
        )
    with ape.reverts("settlement: epoch not final"):
        settlement.claim_shares(1, alice, ETHER, [], sender=alice)
    assert report_cid(settlement.epochs(1)) == ""
    mtree, _ = _commit(settlement, operator, [(alice.address, ETHER), (bob.address, ETHER)], [])
    record = settlement.epochs(1)
    assert report_cid(record) == cid_text(*REPORT_PARTS) and record.committer == operator.address
    assert (record.status, record.round, record.total_mint, record.operator_bond) == (
        2,
        1,
        2 * ETHER,
        OPERATOR_BOND,
    )
    _advance(chain, WINDOW)
    settlement.finalize(1, sender=alice)
    with ape.reverts("settlement: invalid proof"):  # a leaf that is not in the tree
        settlement.claim_shares(1, alice, 2 * ETHER, mtree.proof(0), sender=alice)


def test_challenges_upheld_and_rejected(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    alice, bob = _opened(system, chain, accounts)
    challenger = accounts[4]
    _commit(settlement, operator, [(alice.address, ETHER)], [])
    with ape.reverts("settlement: wrong challenge bond"):
        settlement.challenge(1, "QmWhy", value=1, sender=challenger)
    settlement.challenge(1, "QmWhy", value=CHALLENGE_BOND, sender=challenger)
    _advance(chain, WINDOW)
    with ape.reverts("settlement: a challenge awaits its verdict"):
        settlement.finalize(1, sender=alice)
    with ape.reverts("settlement: caller is not governance or the guardian"):
        settlement.resolve_challenge(1, True, sender=alice)
    settlement.resolve_challenge(1, True, sender=owner)  # upheld: report void, bonds to the challenger
    assert settlement.bonds_owed(challenger) == OPERATOR_BOND + CHALLENGE_BOND
    assert not settlement.is_final(1)

    _commit(settlement, operator, [(alice.address, ETHER)], [])
    settlement.challenge(1, "QmWhy", value=CHALLENGE_BOND, sender=challenger)
    settlement.resolve_challenge(2, False, sender=owner)  # rejected: the bond becomes revenue
    assert shares.undistributed_eth() == CHALLENGE_BOND  # no shares yet: held for the first holders
    _advance(chain, WINDOW)
    with ape.reverts("settlement: challenge window closed"):
        settlement.challenge(1, "QmLate", value=CHALLENGE_BOND, sender=challenger)
    settlement.finalize(1, sender=alice)
    with ape.reverts("settlement: nothing to challenge"):
        settlement.challenge(1, "QmLate", value=CHALLENGE_BOND, sender=challenger)


def test_committed_shares_stay_claimable_when_governance_lowers_the_cap(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    alice, bob = _opened(system, chain, accounts)
    mtree, _ = _commit(settlement, operator, [(alice.address, 700 * ETHER), (bob.address, 300 * ETHER)], [])
    assert shares.reserved_mint(1) == 1_000 * ETHER
    shares.set_epoch_mint_limits(0, 0, sender=owner)  # no new epoch may mint; committed ones still do
    _advance(chain, WINDOW)
    settlement.finalize(1, sender=alice)
    settlement.claim_shares(1, alice, 700 * ETHER, mtree.proof(0), sender=alice)
    settlement.claim_shares(1, bob, 300 * ETHER, mtree.proof(1), sender=bob)
    assert shares.totalSupply() == shares.minted_in_epoch(1) == 1_000 * ETHER


def test_an_upheld_challenge_releases_the_reservation(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    alice, bob = _opened(system, chain, accounts)
    _commit(settlement, operator, [(alice.address, ETHER)], [])
    settlement.challenge(1, "QmWhy", value=CHALLENGE_BOND, sender=accounts[4])
    settlement.resolve_challenge(1, True, sender=accounts[7])  # the guardian may rule too
    assert shares.reserved_mint(1) == 0 and shares.epoch_mint_cap(1) == 1_000_000 * ETHER
    _commit(settlement, operator, [(alice.address, 5 * ETHER)], [])  # the new report reserves anew
    assert shares.reserved_mint(1) == 5 * ETHER


def test_slash_is_capped_and_only_for_the_epochs_contributions(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    alice, bob = _opened(system, chain, accounts)
    _, stree = _commit(settlement, operator, [(alice.address, ETHER)], [(1, ETHER // 2), (3, 1)])
    _advance(chain, WINDOW)
    settlement.finalize(1, sender=alice)
    with ape.reverts("settlement: slash above the cap"):
        settlement.execute_slash(1, 1, ETHER // 2, stree.proof(0), sender=alice)
    with ape.reverts("settlement: contribution not of this epoch"):
        settlement.execute_slash(1, 3, 1, stree.proof(1), sender=alice)


def test_parameters_are_owner_only(system, accounts):
    shares, registry, settlement, owner, operator = system
    for call in (
        lambda s: settlement.set_operator(accounts[5], sender=s),
        lambda s: settlement.set_windows(1, 1, sender=s),
        lambda s: settlement.set_bonds(1, 1, sender=s),
        lambda s: settlement.set_policy(1, 1, 1, sender=s),
        lambda s: settlement.set_deadlines(1, 1, sender=s),
        lambda s: registry.set_min_stake(1, sender=s),
        lambda s: registry.set_unbonding_period(1, sender=s),
    ):
        with ape.reverts("ownable: caller is not the owner"):
            call(accounts[5])
        call(owner)
    with ape.reverts("settlement: basis points above 10000"):
        settlement.set_policy(1, 10_001, 1, sender=owner)
    with ape.reverts("registry: zero minimum stake"):
        registry.set_min_stake(0, sender=owner)
    with ape.reverts("settlement: zero deadline period"):
        settlement.set_deadlines(0, 1, sender=owner)


def test_the_guardian_expires_after_its_epochs_and_governance_removes_it(system, chain, accounts):
    shares, registry, settlement, owner, operator = system
    guardian = accounts[7]
    assert settlement.guardian() == guardian.address and settlement.guardian_active()
    for epoch in range(1, settlement.GUARDIAN_EPOCHS() + 2):
        settlement.open_epoch("QmRecipeRecipeRecipeRecipeRecipeRecipeRecipe12", b"\x01" * 32, sender=owner)
        _advance(chain, PERIOD)
        _commit_epoch(settlement, operator, epoch)
        assert settlement.guardian_active()  # committed, not final yet
        _advance(chain, WINDOW)
        settlement.finalize(epoch, sender=accounts[5])
    # epoch 1 final and GUARDIAN_EPOCHS more: the term is over, whatever the guardian does
    assert not settlement.guardian_active()
    settlement.open_epoch("QmRecipeRecipeRecipeRecipeRecipeRecipeRecipe12", b"\x01" * 32, sender=owner)
    assert not settlement.guardian_active()
    with ape.reverts("settlement: epoch not expired"):
        settlement.void_epoch(settlement.current_epoch(), sender=guardian)
    settlement.void_epoch(settlement.current_epoch(), sender=owner)  # governance may void
    with ape.reverts("settlement: governance opens epochs"):  # shares exist: no permissionless restart
        settlement.reopen(sender=guardian)
    settlement.remove_guardian(sender=owner)
    assert settlement.guardian() == "0x" + "00" * 20
    with ape.reverts("settlement: no guardian"):
        settlement.remove_guardian(sender=owner)


def _commit_epoch(settlement, operator, epoch):
    settlement.commit(
        epoch, *REPORT_PARTS, b"\x02" * 32, b"\x00" * 32, 0,
        b"\x00" * 32, value=OPERATOR_BOND, sender=operator,
    )  # fmt: skip
