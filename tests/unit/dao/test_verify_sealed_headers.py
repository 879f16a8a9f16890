"""Which sealed data sets a verifier's key can check (issue 17), read from headers alone."""

from __future__ import annotations

from nacl.public import PrivateKey

from dao.data.sealing import seal
from dao.epoch.valuation import KIND_DATA, KIND_MODEL, Contribution
from dao.epoch.verify import unopenable_sealed
from dao.storage import EmbeddedStorage

OPERATOR, AUDITOR, STRANGER = (PrivateKey.generate() for _ in range(3))
CSV = b"x,y\n1.0,0\n2.0,1\n"


def _pub(key: PrivateKey) -> bytes:
    return bytes(key.public_key)


def _epoch(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    contents = {
        1: (KIND_DATA, CSV),  # public
        2: (KIND_DATA, seal(CSV + b"3.0,0\n", _pub(OPERATOR), _pub(AUDITOR))),  # to both
        3: (KIND_DATA, seal(CSV + b"4.0,1\n", _pub(OPERATOR))),  # v1, the operator alone
        4: (KIND_DATA, seal(CSV + b"5.0,0\n", _pub(AUDITOR), _pub(STRANGER))),  # skips the operator
        5: (KIND_MODEL, b'{"estimator": "gaussian_nb"}'),
        6: (KIND_DATA, b"MMDAO-SEALED-v2\n\x05short"),  # malformed: rejected alike by everyone
    }
    contributions = [
        Contribution(i, f"0x{i:040x}", kind, 1, storage.add(content), 1)
        for i, (kind, content) in contents.items()
    ]
    contributions.append(
        Contribution(7, "0x7", KIND_DATA, 1, "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", 1)
    )
    return storage, contributions


def test_each_key_is_told_exactly_what_it_cannot_check(tmp_path):
    storage, contributions = _epoch(tmp_path)
    operator = _pub(OPERATOR)

    def ids(key):
        return {i: why for i, why in unopenable_sealed(storage, contributions, key, operator)}

    assert ids(None) == {i: "sealed data set, and no key was given (--key FILE)" for i in (2, 3, 4, 6)}
    assert ids(bytes(OPERATOR)) == {4: "sealed to 2 recipients, not to this key"}
    assert ids(bytes(AUDITOR)) == {
        3: "sealed to a single recipient (the operator), not to this key",
        4: "sealed without the operator's key, so the report could not value it",
    }
    assert set(ids(bytes(STRANGER))) == {2, 3, 4}
