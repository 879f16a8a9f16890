# pragma version 0.4.3
"""
@title Checkpoint packing and search (stateless)
@custom:contract-name checkpoints
@license GNU Affero General Public License v3.0 only
@notice One vocabulary for block-keyed histories (vote and supply checkpoints
        of `votes.vy`, quorum fractions of the Governor): a checkpoint is one
        slot, `key << 208 | value` (Vyper does not pack structs), keys never
        decrease, and the value at a timepoint is the value of the last
        checkpoint whose key is at or before it.
@dev Stateless: imported without `initializes:`, as `ckpt` (votes.vy has an
     external `checkpoints`). Vyper cannot pass a storage
     map to a function, so each history keeps its own loop, written the same
     way everywhere with these helpers and this bound:

         if ckpt._key(latest) <= timepoint:   # the common case first
             return ckpt._value(latest)
         low: uint256 = 0
         high: uint256 = count - 1                   # the latest is after timepoint
         for _: uint256 in range(ckpt.SEARCH_STEPS):
             if low >= high:
                 break
             mid: uint256 = ckpt._mid(low, high)
             if ckpt._key(history[mid]) > timepoint:
                 high = mid
             else:
                 low = mid + 1
         # `high` is now the first checkpoint after timepoint (0: none before it)
"""

# @dev Bits of the value; the key (a block number) takes the 48 bits above them.
KEY_SHIFT: constant(uint256) = 208
VALUE_MASK: constant(uint256) = (1 << 208) - 1
# @dev Halvings of the search: 2**64 checkpoints can never exist.
SEARCH_STEPS: constant(uint256) = 64


@internal
@pure
def _pack(key: uint256, amount: uint256) -> uint256:
    """
    @dev One checkpoint: `key` in the top 48 bits, `amount` (at most VALUE_MASK) below.
    """
    return (key << KEY_SHIFT) | amount


@internal
@pure
def _key(packed: uint256) -> uint256:
    """
    @dev The block of a checkpoint.
    """
    return packed >> KEY_SHIFT


@internal
@pure
def _value(packed: uint256) -> uint256:
    """
    @dev The value of a checkpoint.
    """
    return packed & VALUE_MASK


@internal
@pure
def _mid(low: uint256, high: uint256) -> uint256:
    """
    @dev The midpoint of a search interval (`low + high` cannot overflow: both are counts).
    """
    return unsafe_div(unsafe_add(low, high), 2)
