"""Recipes name auditors; contributors seal private data sets to the operator and to each of them."""

from __future__ import annotations

import json

import pytest
from nacl.public import PrivateKey

from dao.data.recipe import InvalidRecipe, Recipe, single_model_recipe
from dao.data.sealing import MARKER_V2, unseal
from dao.holders.contribute import ContributionRefused, seal_for_epoch, sealing_recipients

CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
OPERATOR, AUDITOR_A, AUDITOR_B = (PrivateKey.generate() for _ in range(3))


def _hex(key: PrivateKey) -> str:
    return "0x" + bytes(key.public_key).hex()


def _recipe(auditors=(), operator=OPERATOR) -> Recipe:
    document = json.loads(single_model_recipe(CID, 10**18).to_json())
    document["extra"] = {"operator_public_key": bytes(operator.public_key).hex()}
    if auditors is not None:
        document["auditor_public_keys"] = auditors if isinstance(auditors, str) else list(auditors)
    return Recipe.from_json(json.dumps(document))


def test_auditor_keys_round_trip_and_old_recipes_keep_their_bytes():
    plain = single_model_recipe(CID, 10**18)
    assert b"auditor_public_keys" not in plain.to_json()  # no auditors: the bytes (and CID) of before
    recipe = _recipe([_hex(AUDITOR_A), _hex(AUDITOR_B)])
    assert recipe.auditor_public_keys == (_hex(AUDITOR_A), _hex(AUDITOR_B))
    assert Recipe.from_json(recipe.to_json()) == recipe
    assert _recipe([]).to_json() == _recipe(None).to_json()


@pytest.mark.parametrize(
    ("auditors", "message"),
    [
        ("0xab", "must be a list of keys"),
        ([42], "list of 0x-prefixed hex strings"),
        (["0x" + "AB" * 32], r"auditor_public_keys\[0\] must be 0x followed by 64 lowercase"),
        ([_hex(AUDITOR_A), "ab" * 32], r"auditor_public_keys\[1\] must be 0x"),
        (["0x" + "00" * 32], r"auditor_public_keys\[0\] is not a usable Curve25519"),
        ([_hex(AUDITOR_A), _hex(AUDITOR_A)], "lists a key twice"),
        ([_hex(OPERATOR)], "lists the operator's own public key"),
        (["0x" + bytes(PrivateKey.generate().public_key).hex() for _ in range(16)], "at most 15"),
    ],
)
def test_malformed_auditor_keys_are_named(auditors, message):
    with pytest.raises(InvalidRecipe, match=message):
        _recipe(auditors)


def test_a_private_data_set_opens_for_the_operator_and_every_auditor():
    recipe = _recipe([_hex(AUDITOR_A), _hex(AUDITOR_B)])
    assert sealing_recipients(recipe) == [bytes(k.public_key) for k in (OPERATOR, AUDITOR_A, AUDITOR_B)]
    sealed = seal_for_epoch(b"x,y\n1,0\n", recipe)
    assert sealed.startswith(MARKER_V2)
    assert {unseal(sealed, bytes(k)) for k in (OPERATOR, AUDITOR_A, AUDITOR_B)} == {b"x,y\n1,0\n"}


def test_sealing_without_an_operator_key_or_with_a_bad_one_is_refused():
    document = json.loads(_recipe().to_json())
    document["extra"] = {}
    with pytest.raises(ContributionRefused, match="publishes no operator_public_key"):
        seal_for_epoch(b"x", Recipe.from_json(json.dumps(document)))
    document["extra"] = {"operator_public_key": "zz"}
    with pytest.raises(ContributionRefused, match="not hex"):
        seal_for_epoch(b"x", Recipe.from_json(json.dumps(document)))
    document["extra"] = {"operator_public_key": "ab" * 5}
    with pytest.raises(ContributionRefused, match="cannot be sealed.*not a 32-byte"):
        seal_for_epoch(b"x", Recipe.from_json(json.dumps(document)))


def test_a_data_set_too_large_once_sealed_to_every_auditor_is_refused(monkeypatch):
    from dao.holders import contribute

    monkeypatch.setattr(contribute, "MAX_BYTES", 1_000)
    recipe = _recipe([_hex(AUDITOR_A), _hex(AUDITOR_B)])
    with pytest.raises(ContributionRefused, match="sealed to 3 recipients it must be at most"):
        seal_for_epoch(b"x" * 1_000, recipe)
    assert seal_for_epoch(b"x" * 1_000, _recipe()).startswith(b"MMDAO-SEALED-v1")  # one recipient fits
