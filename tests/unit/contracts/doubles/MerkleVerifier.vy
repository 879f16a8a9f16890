# pragma version 0.4.3
"""
@title Merkle Verifier (test double)
@notice Exposes snekmate's OpenZeppelin-compatible proof verification so the off-chain tree can be
        checked against the verifier the settlement contract uses.
"""

from snekmate.utils import merkle_proof_verification


@external
@pure
def verify(proof: DynArray[bytes32, 32], root: bytes32, leaf: bytes32) -> bool:
    """
    @notice Whether `proof` links `leaf` to `root`.
    @param proof The sibling hashes.
    @param root The tree root.
    @param leaf The (double-hashed) leaf.
    @return bool True when the proof is valid.
    """
    return merkle_proof_verification._verify(proof, root, leaf)
