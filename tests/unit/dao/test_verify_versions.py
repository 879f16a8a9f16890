"""`dao verify` names what differs between the report's recorded versions and this machine's."""

from __future__ import annotations

from dao.epoch.verify import version_differences
from valuation.report import library_versions
from valuation.shapley import ESTIMATOR_VERSION


def test_a_report_from_an_older_estimator_is_named():
    recorded = {**library_versions(), "metamodel-dao-estimator": "1"}
    assert version_differences(recorded) == [f"metamodel-dao-estimator: report 1 vs here {ESTIMATOR_VERSION}"]


def test_a_report_from_before_the_estimator_was_recorded_is_named():
    recorded = {k: v for k, v in library_versions().items() if k != "metamodel-dao-estimator"}
    assert version_differences(recorded) == [
        f"metamodel-dao-estimator: report None vs here {ESTIMATOR_VERSION}"
    ]


def test_the_same_versions_give_no_warning():
    assert version_differences(library_versions()) == []
