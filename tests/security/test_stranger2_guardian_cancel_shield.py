"""Stranger review 2, finding: any proposal can make itself immune to the guardian's cancel.

`Governor.cancel` refuses the guardian for a proposal with *any* call whose first four bytes are the
selector of `remove_guardian()`, whatever the target. An attacker with enough votes adds one inert
call carrying those four bytes (here to an EOA: the Timelock's call succeeds and does nothing) to a
malicious proposal (here: replace the operator). The guardian's veto, its only defence against a
captured vote during bootstrap, no longer applies, and the guardian is not even removed.

Fixed: only a proposal whose every call is a real removal (the exact calldata `remove_guardian()`,
no value, to the Governor or to the settlement) is out of the guardian's reach; a look-alike to
another target, or a real removal bundled with other calls, leaves the guardian its veto.
"""

from __future__ import annotations

from eth_utils import keccak

from tests.security.test_stranger_guardian import SUCCEEDED, _execute, _final_epoch_one, _propose_and_pass

CANCELED = 2


class _Inert:
    """A call target that is just an address (an EOA: the Timelock's call succeeds, nothing runs)."""

    def __init__(self, address: str):
        self.address = address


def test_an_inert_removal_selector_does_not_shield_a_malicious_proposal(dao, roles, params, advance, chain):
    guardian, alice, mallory = roles["guardian"], roles["alice"], roles["mallory"]
    _final_epoch_one(dao, roles, params, advance, chain)  # alice: every share (the captured vote)
    assert dao.settlement.guardian_active()

    malicious = [
        (dao.settlement, dao.settlement.set_operator.encode_input(mallory.address)),
        (_Inert(mallory.address), keccak(text="remove_guardian()")[:4]),  # the shield: calls nothing
    ]
    key, pid = _propose_and_pass(dao, alice, chain, malicious, "Routine operator rotation.")
    try:
        dao.governor.cancel(*key, sender=guardian)
    except Exception:  # noqa: BLE001 - a refused cancel is the finding
        pass
    state = int(dao.governor.state(pid))
    if state == SUCCEEDED:  # on main: the cancel was refused; the proposal runs, the guardian stays
        _execute(dao, key, params, advance, roles["keeper"])
        assert dao.settlement.operator() == mallory.address and dao.settlement.guardian_active()
    assert state == CANCELED, "the guardian could not cancel a proposal that does not remove it"


def test_a_real_removal_bundled_with_a_malicious_call_does_not_shield_it(dao, roles, params, advance, chain):
    """The same attack with a *real* removal of the settlement's guardian beside the malicious call:
    the guardian may still cancel (a removal protects only a proposal of removals alone, which
    governance can always propose: tests/security/test_stranger_guardian.py)."""
    guardian, alice, mallory = roles["guardian"], roles["alice"], roles["mallory"]
    _final_epoch_one(dao, roles, params, advance, chain)
    bundled = [
        (dao.settlement, dao.settlement.set_operator.encode_input(mallory.address)),
        (dao.settlement, dao.settlement.remove_guardian.encode_input()),
    ]
    key, pid = _propose_and_pass(dao, alice, chain, bundled, "Rotate the operator, end the guardian.")
    dao.governor.cancel(*key, sender=guardian)
    assert int(dao.governor.state(pid)) == CANCELED
    assert dao.settlement.operator() != mallory.address and dao.settlement.guardian_active()
