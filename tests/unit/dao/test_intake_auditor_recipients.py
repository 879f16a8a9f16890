"""The epoch's intake refuses a private data set that leaves out an auditor the recipe names: the
auditor could not verify the epoch (issue 17). Decided from the sealed header alone."""

from __future__ import annotations

from dataclasses import replace

from nacl.public import PrivateKey

from dao.data.sealing import seal
from dao.epoch.valuation import KIND_DATA, check_artifacts
from dao.storage import EmbeddedStorage
from tests.security.test_intake_privacy import KEY, _contributions, _csv, _recipe, _rows

AUDITOR = PrivateKey.generate()


def _auditor_recipe(storage):
    return replace(
        _recipe(storage, b"x"), auditor_public_keys=("0x" + bytes(AUDITOR.public_key).hex(),)
    ).validate()


def test_a_data_set_sealed_to_the_operator_alone_is_rejected_when_the_recipe_names_an_auditor(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = _auditor_recipe(storage)
    content = _csv(_rows(40, 3))
    contents = [
        (KIND_DATA, seal(content, bytes(KEY.public_key))),  # v1: the operator only
        (KIND_DATA, seal(content + b"", bytes(KEY.public_key), bytes(PrivateKey.generate().public_key))),
        (KIND_DATA, seal(_csv(_rows(40, 4)), bytes(KEY.public_key), bytes(AUDITOR.public_key))),
    ]
    accepted, _, rejected = check_artifacts(storage, recipe, _contributions(storage, contents), bytes(KEY))
    assert sorted(rejected) == [1, 2]
    assert [c.id for c, _ in accepted] == [3]


def test_without_auditors_a_data_set_sealed_to_the_operator_is_accepted(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = _recipe(storage, b"x")
    contents = [(KIND_DATA, seal(_csv(_rows(40, 3)), bytes(KEY.public_key)))]
    accepted, _, rejected = check_artifacts(storage, recipe, _contributions(storage, contents), bytes(KEY))
    assert rejected == {} and len(accepted) == 1
