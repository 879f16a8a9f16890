"""Finding 3 (high): front-running `register` stole a contribution: a copier of the pending call
registered the CID first, the victim's call reverted and duplicate rows credited the copier. Now
registration is commit–reveal bound to the author; priority is commitment order."""

from __future__ import annotations

import os

import ape

from dao.chain.cids import cid_parts
from dao.epoch.valuation import read_contributions
from dao.holders.contribute import commitment_hash
from tests.security.conftest import CIDS, ETHER, register


def test_a_copied_reveal_is_useless_and_blocks_nothing(dao, roles, params):
    alice, mallory = roles["alice"], roles["mallory"]
    salt = os.urandom(32)
    dao.registry.commit_contribution(commitment_hash(alice.address, 0, CIDS[0], salt), sender=alice)
    # Mallory sees Alice's reveal in the mempool and sends the same call first, with the min stake.
    with ape.reverts("registry: no such commitment"):
        dao.registry.register(0, *cid_parts(CIDS[0]), salt, value=params.min_stake, sender=mallory)
    # Knowing the CID now, she commits and reveals her own copy before Alice's reveal lands...
    copy = register(dao, mallory, CIDS[0], stake=params.min_stake)
    # ...which neither blocks Alice nor puts Mallory first.
    receipt = dao.registry.register(0, *cid_parts(CIDS[0]), salt, value=ETHER, sender=alice)
    original = int(next(iter(receipt.decode_logs(dao.registry.ContributionRegistered))).id)
    assert original > copy  # Mallory's reveal came first...
    assert dao.registry.contributions(original).priority < dao.registry.contributions(copy).priority
    # ...but the valuation reads contributions in commitment order: duplicate rows credit Alice.
    order = [c.id for c in read_contributions(dao, 1)]
    assert order == [original, copy]
    with ape.reverts("registry: commitment already revealed"):
        dao.registry.register(0, *cid_parts(CIDS[0]), salt, value=ETHER, sender=alice)


def test_registration_failures(dao, roles, params, chain):
    alice = roles["alice"]
    salt = b"\x07" * 32
    digest = commitment_hash(alice.address, 1, CIDS[1], salt)
    assert dao.registry.commitment_hash(alice.address, 1, *cid_parts(CIDS[1]), salt) == digest
    with ape.reverts("registry: empty commitment"):
        dao.registry.commit_contribution(b"\x00" * 32, sender=alice)
    dao.registry.commit_contribution(digest, sender=alice)
    with ape.reverts("registry: commitment already made"):
        dao.registry.commit_contribution(digest, sender=roles["bob"])
    with ape.reverts("registry: no such commitment"):  # another kind than committed
        dao.registry.register(0, *cid_parts(CIDS[1]), salt, value=ETHER, sender=alice)
    with ape.reverts("registry: no such commitment"):  # another salt
        dao.registry.register(1, *cid_parts(CIDS[1]), b"\x08" * 32, value=ETHER, sender=alice)
    dao.registry.register(1, *cid_parts(CIDS[1]), salt, value=ETHER, sender=alice)
    dao.registry.commit_contribution(commitment_hash(alice.address, 0, CIDS[1], salt), sender=alice)
    with ape.reverts("registry: CID already registered by you this epoch"):
        dao.registry.register(0, *cid_parts(CIDS[1]), salt, value=ETHER, sender=alice)
