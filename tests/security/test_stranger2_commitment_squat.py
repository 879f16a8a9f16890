"""Stranger review 2, finding: front-running a registration's commitment censors the contributor.

`commit_contribution(hash)` refuses a hash already committed ("registry: commitment already made") and
does not record who committed it. A griefer who sees a contributor's `commit_contribution(h)` in the
mempool sends the same call first (gas only). The contract would still let the contributor reveal
against the griefer's commitment (the hash binds the contributor's address, and its priority is even
earlier), but the client `register_contribution` aborts on the refused commitment and never reveals;
each retry draws a fresh salt, which the griefer copies again. The contributor is kept out of the
epoch for the price of gas.
"""

from __future__ import annotations

import os

import pytest

from dao.holders.contribute import commitment_hash, register_contribution
from tests.security.conftest import CIDS, ETHER


@pytest.mark.xfail(strict=True, reason="finding: a front-run commitment makes register_contribution abort")
def test_a_copied_commitment_does_not_keep_the_contributor_out(dao, roles):
    alice, mallory = roles["alice"], roles["mallory"]
    salt = os.urandom(32)
    # Mallory's copy of alice's pending commitment lands first (here: simply mined before it).
    dao.registry.commit_contribution(commitment_hash(alice.address, 0, CIDS[0], salt), sender=mallory)
    try:
        register_contribution(dao.registry, 0, CIDS[0], ETHER, alice, salt=salt)
    except Exception as exc:  # noqa: BLE001 - the client's abort is the finding
        print(f"register_contribution aborted: {exc}")
    assert int(dao.registry.contribution_count()) == 1, "alice was kept out by a copied commitment"
