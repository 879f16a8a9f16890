"""Liveness without governance (issue 15, finding 1) as a hypothesis stateful test.

The registry/settlement machine of tests/unit/contracts (titanoboa, the real contracts) with
challenges, silence and time made frequent: challengers pile up, nobody or somebody resolves,
the operator commits late or never, time jumps to and past every deadline. Its `liveness`
invariant checks after every step that past `opened + contribution_period + commit_period +
challenge_window + resolution_period` the current epoch is settled or anyone can settle it (the
chain is asked: finalize or void succeeds from a keeper's account); the withdrawal rules check that
a settled epoch's stakes are paid in full minus executed slashes.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from tests.unit.contracts.test_registry_settlement_stateful import (
    BOUND,
    COMMIT_PERIOD,
    RESOLUTION_PERIOD,
    EconomyMachine,
)

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 20))


class LivenessMachine(EconomyMachine):
    # More challenges and silence than the economy machine: the paths that used to lock stakes.
    challenge_often = EconomyMachine.challenge
    challenge_again = EconomyMachine.challenge
    void_often = EconomyMachine.void_epoch

    @rule(seconds=st.sampled_from([COMMIT_PERIOD, RESOLUTION_PERIOD, BOUND, 10 * BOUND]))
    def silence(self, seconds):
        """Nobody acts for a while: no operator, no resolver, no governance."""
        import boa

        boa.env.time_travel(seconds=seconds)


LivenessMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=40, deadline=None, database=None
)
TestLiveness = LivenessMachine.TestCase
