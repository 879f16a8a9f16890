"""OpenZeppelin StandardMerkleTree (@openzeppelin/merkle-tree v1), so on-chain claims use standard proofs.

leaf = keccak256(keccak256(abi.encode(values))) — double hashing means an internal node can never
be presented as a leaf; internal node = keccak256 of the sorted pair; leaves sorted by hash and
laid out in a complete binary tree stored as an array (root at 0, leaf i at len - 1 - i).
Only the two leaf types the settlement contract verifies are supported: (address, uint256) mints
and (uint256, uint256) slashes, whose ABI encoding is two 32-byte words. An empty tree has root
bytes32(0) and no leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

from Crypto.Hash import keccak as _keccak

from valuation.errors import InvalidInput

EMPTY_ROOT = b"\x00" * 32


def keccak256(data: bytes) -> bytes:
    return _keccak.new(digest_bits=256, data=data).digest()


def _word(value: int) -> bytes:
    if not 0 <= value < 2**256:
        raise InvalidInput(f"{value} does not fit a uint256")
    return value.to_bytes(32, "big")


def encode_address_uint(account: str, amount: int) -> bytes:
    text = account[2:] if account.startswith("0x") else account
    if len(text) != 40:
        raise InvalidInput(f"{account!r} is not a 20-byte hex address")
    return _word(int(text, 16)) + _word(amount)


def encode_uint_uint(first: int, second: int) -> bytes:
    return _word(first) + _word(second)


def leaf_hash(encoded: bytes) -> bytes:
    return keccak256(keccak256(encoded))


def _node(a: bytes, b: bytes) -> bytes:
    return keccak256(min(a, b) + max(a, b))


@dataclass(frozen=True)
class MerkleTree:
    tree: tuple[bytes, ...]  # the array layout of @openzeppelin/merkle-tree
    leaf_positions: tuple[int, ...]  # for input value i, its index in `tree`

    @classmethod
    def from_encoded(cls, encoded_leaves: list[bytes]) -> MerkleTree:
        if not encoded_leaves:
            return cls((), ())
        hashes = [leaf_hash(e) for e in encoded_leaves]
        order = sorted(range(len(hashes)), key=lambda i: hashes[i])
        size = 2 * len(hashes) - 1
        tree: list[bytes] = [b""] * size
        positions = [0] * len(hashes)
        for rank, value_index in enumerate(order):
            tree[size - 1 - rank] = hashes[value_index]
            positions[value_index] = size - 1 - rank
        for i in range(size - 1 - len(hashes), -1, -1):
            tree[i] = _node(tree[2 * i + 1], tree[2 * i + 2])
        return cls(tuple(tree), tuple(positions))

    @property
    def root(self) -> bytes:
        return self.tree[0] if self.tree else EMPTY_ROOT

    def proof(self, value_index: int) -> list[bytes]:
        """Sibling hashes from leaf `value_index` (in input order) up to the root."""
        position = self.leaf_positions[value_index]
        proof = []
        while position > 0:
            sibling = position - 1 if position % 2 == 0 else position + 1
            proof.append(self.tree[sibling])
            position = (position - 1) // 2
        return proof


def verify(root: bytes, leaf: bytes, proof: list[bytes]) -> bool:
    node = leaf
    for sibling in proof:
        node = _node(node, sibling)
    return node == root


def mint_tree(allocation: list[tuple[str, int]]) -> MerkleTree:
    """Leaves (account, amount) in the given order."""
    return MerkleTree.from_encoded([encode_address_uint(a, v) for a, v in allocation])


def slash_tree(slashes: list[tuple[int, int]]) -> MerkleTree:
    """Leaves (contribution id, amount) in the given order."""
    return MerkleTree.from_encoded([encode_uint_uint(c, v) for c, v in slashes])
