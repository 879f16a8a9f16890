"""Provenance through the real epoch valuation (issue 18): near-copies of an earlier commitment's
rows, an earlier epoch's data re-registered by a stranger and a revealed hold-out sold back earn
nothing, and the report records which rows were credited to whom.

Pure epoch valuation (`value_epoch` over an embedded IPFS store): the demo's breast-cancer data,
four honest providers and two fast models."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from dao.data.examples import build_demo_artifacts, example_recipe
from dao.data.holdout import commitment_of
from dao.data.recipe import DEFAULT_DATA_POOL_BPS, DEFAULT_EMISSION, DEFAULT_SLASH_CAP_BPS
from dao.epoch.valuation import Contribution, EpochError, HistoryRef, value_epoch
from dao.storage import EmbeddedStorage

ETHER = 10**18
HONEST = (0, 1, 4, 6)  # the demo's honest providers used here; 0 is the most copied
JITTER = 0.001  # of each feature's standard deviation (the measured attack)


@pytest.fixture(scope="module")
def artifacts():
    return build_demo_artifacts()


def _frame(csv: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(csv))


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def jittered(csv: bytes, reference: bytes, seed: int = 1) -> bytes:
    """Every feature moved by N(0, 0.1% of its standard deviation), labels kept."""
    frame, spread = _frame(csv), _frame(reference).std()
    rng = np.random.default_rng(seed)
    features = [c for c in frame.columns if c != "malignant"]
    frame[features] = (
        frame[features] + rng.normal(0, JITTER, (len(frame), len(features))) * spread[features].to_numpy()
    )
    return _csv(frame)


def value(tmp_path, artifacts, data: list[tuple[str, bytes]], history=()):
    """Value one epoch of `data` [(account, csv)] in commit order, plus two models."""
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = example_recipe(
        artifacts,
        anchor_cid=storage.add(artifacts.anchor_csv),
        validation_commitment=commitment_of(artifacts.validation_csv),
        notes="provenance test",
    )
    models = [artifacts.model_specs[0], artifacts.model_specs[3]]
    contents = [(0, who, csv) for who, csv in data] + [
        (1, f"0x{0xB0 + i:040x}", s) for i, s in enumerate(models)
    ]
    contributions = [
        Contribution(i + 1, who, kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, who, content) in enumerate(contents)
    ]
    valuation = value_epoch(
        storage,
        1,
        storage.add(recipe.to_json()),
        recipe,
        contributions,
        artifacts.validation_csv,
        validation_cid=storage.add(artifacts.validation_csv),
        **({"history": history} if history else {}),
    )
    values = {p["name"]: p["value"] for p in valuation.report.data_values["players"]}
    return valuation, values


def account(k: int) -> str:
    return f"0x{0xA0 + k:040x}"


@pytest.fixture(scope="module")
def honest(tmp_path_factory, artifacts):
    data = [(account(k), artifacts.provider_csvs[k]) for k in HONEST]
    return value(tmp_path_factory.mktemp("honest"), artifacts, data)[1]


@pytest.mark.slow
def test_a_near_copy_of_a_provider_earns_nothing_and_its_victim_keeps_its_value(tmp_path, artifacts, honest):
    copy = jittered(artifacts.provider_csvs[0], artifacts.anchor_csv)
    data = [(account(k), artifacts.provider_csvs[k]) for k in HONEST] + [(account(9), copy)]
    valuation, values = value(tmp_path, artifacts, data)
    victim, copier = values["#1"], values["#5"]
    assert copier == 0.0
    assert (victim + copier) / honest["#1"] <= 1.10
    assert victim >= 0.9 * honest["#1"]
    record = valuation.report.data_values["provenance"]["providers"][4]
    assert record["contribution"] == 5 and record["owner"] == account(9)
    (credit,) = record["credited_elsewhere"]
    assert credit["source"] == "#1" and credit["owner"] == account(0) and credit["kind"] == "near"
    assert len(credit["rows"]) == len(_frame(copy)) and record["kept_rows"] == len(_frame(copy))
    assert "7" not in valuation.report.slashes  # a copy valued 0 is not slashed


@pytest.mark.slow
def test_near_copied_rows_mixed_into_honest_ones_pay_only_the_honest_ones(tmp_path, artifacts, honest):
    # Provider 4 (committing after provider 0) adds provider 0's jittered rows to its own.
    own, stolen = (
        _frame(artifacts.provider_csvs[4]),
        _frame(jittered(artifacts.provider_csvs[0], artifacts.anchor_csv)),
    )
    mixed = _csv(pd.concat([own, stolen]).sample(frac=1.0, random_state=3))
    data = [(account(k), artifacts.provider_csvs[k]) for k in (0, 1, 6)] + [(account(4), mixed)]
    _, values = value(tmp_path, artifacts, data)
    before = honest["#1"] + honest["#3"]  # provider 0 and provider 4 without the theft
    assert (values["#1"] + values["#4"]) / before <= 1.10
    assert values["#1"] >= 0.9 * honest["#1"]


def _history(storage_dir, artifacts, holdout: bytes):
    """Epoch 1 as the pipeline gathers it: its revealed hold-out (the DAO's) and provider 0's
    accepted data (committed by account 0)."""
    storage = EmbeddedStorage(storage_dir / "ipfs")
    return [
        HistoryRef("epoch 1 hold-out", storage.add(holdout), None),
        HistoryRef("epoch 1 #1", storage.add(artifacts.provider_csvs[0]), account(0)),
    ]


@pytest.mark.slow
def test_an_earlier_epochs_data_and_hold_out_resubmitted_earn_nothing(tmp_path, artifacts):
    # Epoch 1 revealed provider 3's rows as its hold-out set, and valued provider 0's data (account 0).
    holdout = artifacts.provider_csvs[3]
    history = _history(tmp_path, artifacts, holdout)
    stranger, seller = account(8), account(9)
    data = [(account(k), artifacts.provider_csvs[k]) for k in (1, 4, 6)]
    data += [(stranger, artifacts.provider_csvs[0]), (seller, _csv(_frame(holdout).iloc[::-1]))]
    valuation, values = value(tmp_path, artifacts, data, history)
    assert values["#4"] == 0.0 and values["#5"] == 0.0
    report = valuation.report
    assert stranger not in report.allocation and seller not in report.allocation
    assert "4" not in report.slashes and "5" not in report.slashes  # valued 0, not slashed
    assert [h["name"] for h in report.inputs["history"]] == ["epoch 1 hold-out", "epoch 1 #1"]
    record = report.data_values["provenance"]
    copied, sold = record["providers"][3], record["providers"][4]
    assert copied["kept_rows"] == 0 and sold["kept_rows"] == 0
    assert copied["credited_elsewhere"] == [
        {
            "source": "epoch 1 #1",
            "kind": "exact",
            "owner": account(0),
            "rows": list(range(len(_frame(artifacts.provider_csvs[0])))),
        }
    ]
    assert {c["source"] for c in sold["credited_elsewhere"]} == {"epoch 1 hold-out"}
    assert all(c["owner"] is None for c in sold["credited_elsewhere"])
    assert "valued_zero" in copied and "valued_zero" in sold
    # The honest providers are valued as if neither had come.
    _, alone = value(tmp_path / "alone", artifacts, data[:3])
    for name in ("#1", "#2", "#3"):
        assert values[name] == pytest.approx(alone[name], abs=1e-6)


@pytest.mark.slow
def test_a_near_copy_of_an_earlier_epochs_data_earns_nothing(tmp_path, artifacts):
    history = _history(tmp_path, artifacts, artifacts.provider_csvs[3])
    data = [(account(k), artifacts.provider_csvs[k]) for k in (1, 4, 6)]
    data += [(account(8), jittered(artifacts.provider_csvs[0], artifacts.anchor_csv))]
    valuation, values = value(tmp_path, artifacts, data, history)
    assert values["#4"] == 0.0
    (credit,) = valuation.report.data_values["provenance"]["providers"][3]["credited_elsewhere"]
    assert (credit["source"], credit["kind"], credit["owner"]) == ("epoch 1 #1", "near", account(0))


def test_history_that_cannot_be_read_stops_the_run_with_a_clear_error(tmp_path, artifacts):
    missing = HistoryRef("epoch 1 #1", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", account(0))
    data = [(account(k), artifacts.provider_csvs[k]) for k in (1, 4)]
    with pytest.raises(EpochError, match=r"epoch 1 #1 \(Qm\w+\) cannot be read for provenance"):
        value(tmp_path, artifacts, data, [missing])


def test_sealed_history_without_the_operator_key_is_the_operators_fault(tmp_path, artifacts):
    from dao.data.sealing import load_or_create_operator_key, seal

    key = load_or_create_operator_key(tmp_path / "operator.key")
    storage = EmbeddedStorage(tmp_path / "ipfs")
    sealed = storage.add(seal(artifacts.provider_csvs[0], bytes(key.public_key)))
    data = [(account(k), artifacts.provider_csvs[k]) for k in (1, 4)]
    with pytest.raises(EpochError, match="epoch 1 #1 is sealed and this run has no operator key"):
        value(tmp_path, artifacts, data, [HistoryRef("epoch 1 #1", sealed, account(0))])


def test_the_report_records_provenance_and_a_tampered_record_fails_verification(tmp_path, artifacts):
    from dao.epoch.verify import verify_report
    from valuation import PayoutPolicy
    from valuation.report import ValuationReport, canonical_dumps

    history = _history(tmp_path, artifacts, artifacts.provider_csvs[3])
    data = [(account(k), artifacts.provider_csvs[k]) for k in (1, 4)] + [
        (account(8), artifacts.provider_csvs[0])
    ]
    valuation, _ = value(tmp_path, artifacts, data, history)
    committed = valuation.report.to_json()
    recomputed = value(tmp_path, artifacts, data, history)[0].report.to_json()
    assert recomputed == committed  # the trace is a pure function of the same inputs
    policy = PayoutPolicy(DEFAULT_EMISSION, DEFAULT_DATA_POOL_BPS, DEFAULT_SLASH_CAP_BPS)
    document = json.loads(committed)
    # The operator credits the stranger's copied rows to nobody and lets it keep them.
    document["data_values"]["provenance"]["providers"][2]["credited_elsewhere"] = []
    tampered = canonical_dumps(document)
    result = verify_report(tampered, recomputed, policy)
    assert not result.match and result.failed_checks == ["numbers"]
    assert any(path.startswith("data_values.provenance.providers[2]") for path, _, _ in result.numbers)
    assert ValuationReport.from_json(tampered).data_values["provenance"]["providers"][2]["kept_rows"] == 0


def _scenario_epoch(tmp_path, scenario, models: list[bytes]):
    """`scenario`'s providers (in order) valued as an epoch under a recipe of its 30 columns."""
    from dao.data.recipe import DataSchema, Recipe

    columns = [f"f{i}" for i in range(scenario.anchor[0].shape[1])]

    def csv(X, y) -> bytes:
        frame = pd.DataFrame(X, columns=columns)
        frame["y"] = np.asarray(y).astype(int)
        return _csv(frame)

    storage = EmbeddedStorage(tmp_path / "ipfs")
    validation = csv(*scenario.validation)
    recipe = Recipe(
        schema=DataSchema(features=tuple((c, "float64") for c in columns), target="y"),
        model_allow_list=("logistic_regression", "gaussian_nb"),
        emission=DEFAULT_EMISSION,
        data_pool_bps=DEFAULT_DATA_POOL_BPS,
        slash_cap_bps=DEFAULT_SLASH_CAP_BPS,
        anchor_cid=storage.add(csv(*scenario.anchor)),
        validation_commitment=commitment_of(validation),
    ).validate()
    contents = [(0, csv(X, y)) for X, y in scenario.providers] + [(1, m) for m in models]
    contributions = [
        Contribution(i + 1, account(i), kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, content) in enumerate(contents)
    ]
    report = value_epoch(storage, 1, storage.add(recipe.to_json()), recipe, contributions, validation).report
    return [p["value"] for p in report.data_values["players"]]


@pytest.mark.slow
@pytest.mark.parametrize("attack", ["jitter", "round2"])
def test_a_near_copy_on_thirty_features_earns_nothing_through_the_epoch(tmp_path, artifacts, attack):
    # The measurement: breast_cancer's 30 features, the copier copying the most valuable
    # provider; without the trace the grouping alone let these through (1.2-1.3x in bench.provenance).
    from bench.provenance import attacked
    from bench.valuation_scenarios import breast_cancer

    models = [artifacts.model_specs[0], artifacts.model_specs[3]]
    scenario = breast_cancer(8)
    honest = _scenario_epoch(tmp_path / "honest", scenario, models)
    victim = int(np.argmax(honest))
    values = _scenario_epoch(tmp_path / "attack", attacked(scenario, victim, 0, attack), models)
    assert (values[victim] + values[-1]) / honest[victim] <= 1.10
    assert values[victim] >= 0.9 * honest[victim]
