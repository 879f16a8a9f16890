# pragma version 0.4.3
"""
@title Votes token (test double)
@custom:contract-name VotesTokenDouble
@license GNU Affero General Public License v3.0 only
@notice A minimal ERC20Votes stand-in for the Governor tests: balances,
        delegation and per-block checkpoints of votes and supply with
        OpenZeppelin semantics (`getPastVotes(a, t)` is the value at the end
        of block `t`, `t` must be past). Anyone may mint; mint auto-delegates
        a recipient without a delegate, like the ShareToken.
"""

_MAX_CHECKPOINTS: constant(uint256) = 1_000_000

balanceOf: public(HashMap[address, uint256])
totalSupply: public(uint256)
delegates: public(HashMap[address, address])
_blocks: HashMap[address, HashMap[uint256, uint256]]
_values: HashMap[address, HashMap[uint256, uint256]]
numCheckpoints: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])


event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    amount: uint256


event DelegateChanged:
    delegator: indexed(address)
    from_delegate: indexed(address)
    to_delegate: indexed(address)


@external
@view
def clock() -> uint48:
    """
    @notice The block-number clock.
    @return uint48 The current block.
    """
    return convert(block.number, uint48)


@external
@pure
def CLOCK_MODE() -> String[32]:
    """
    @notice EIP-6372 clock mode.
    @return String Block numbers.
    """
    return "mode=blocknumber&from=default"


@external
def mint(to: address, amount: uint256):
    """
    @notice Mints `amount` to `to` (anyone; test double), auto-delegating `to` to itself if undelegated.
    @param to Receiver.
    @param amount Amount.
    """
    assert to != empty(address), "double: mint to zero"
    if self.delegates[to] == empty(address):
        self.delegates[to] = to
        log DelegateChanged(delegator=to, from_delegate=empty(address), to_delegate=to)
    self.balanceOf[to] += amount
    self.totalSupply += amount
    self._push(empty(address), self.totalSupply)
    self._move(empty(address), self.delegates[to], amount)
    log Transfer(sender=empty(address), receiver=to, amount=amount)


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` from the caller to `to`; votes follow the delegates.
    @param to Receiver.
    @param amount Amount.
    @return bool True.
    """
    assert to != empty(address), "double: transfer to zero"
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[to] += amount
    self._move(self.delegates[msg.sender], self.delegates[to], amount)
    log Transfer(sender=msg.sender, receiver=to, amount=amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    """
    @notice Lets `spender` move `amount` of the caller's tokens.
    @param spender The spender.
    @param amount The allowance.
    @return bool True.
    """
    self.allowance[msg.sender][spender] = amount
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` from `owner` to `to` using the caller's allowance.
    @param owner The owner.
    @param to Receiver.
    @param amount Amount.
    @return bool True.
    """
    assert to != empty(address), "double: transfer to zero"
    self.allowance[owner][msg.sender] -= amount
    self.balanceOf[owner] -= amount
    self.balanceOf[to] += amount
    self._move(self.delegates[owner], self.delegates[to], amount)
    log Transfer(sender=owner, receiver=to, amount=amount)
    return True


@external
def delegate(delegatee: address):
    """
    @notice Delegates the caller's votes to `delegatee`.
    @param delegatee The new delegate.
    """
    old: address = self.delegates[msg.sender]
    self.delegates[msg.sender] = delegatee
    log DelegateChanged(delegator=msg.sender, from_delegate=old, to_delegate=delegatee)
    self._move(old, delegatee, self.balanceOf[msg.sender])


@external
@view
def getVotes(account: address) -> uint256:
    """
    @notice Current votes of `account`.
    @param account The delegate.
    @return uint256 Votes.
    """
    n: uint256 = self.numCheckpoints[account]
    if n == 0:
        return 0
    return self._values[account][n - 1]


@external
@view
def getPastVotes(account: address, timepoint: uint256) -> uint256:
    """
    @notice Votes of `account` at the end of block `timepoint`.
    @param account The delegate.
    @param timepoint A past block.
    @return uint256 Votes.
    """
    assert timepoint < block.number, "votes: future lookup"
    return self._lookup(account, timepoint)


@external
@view
def getPastTotalSupply(timepoint: uint256) -> uint256:
    """
    @notice Supply at the end of block `timepoint`.
    @param timepoint A past block.
    @return uint256 Supply.
    """
    assert timepoint < block.number, "votes: future lookup"
    return self._lookup(empty(address), timepoint)


@internal
def _move(src: address, dst: address, amount: uint256):
    if src == dst or amount == 0:
        return
    if src != empty(address):
        self._push(src, self._latest(src) - amount)
    if dst != empty(address):
        self._push(dst, self._latest(dst) + amount)


@internal
@view
def _latest(account: address) -> uint256:
    n: uint256 = self.numCheckpoints[account]
    if n == 0:
        return 0
    return self._values[account][n - 1]


@internal
def _push(account: address, new_value: uint256):
    # account == empty(address) holds the supply checkpoints.
    n: uint256 = self.numCheckpoints[account]
    if n != 0 and self._blocks[account][n - 1] == block.number:
        self._values[account][n - 1] = new_value
        return
    self._blocks[account][n] = block.number
    self._values[account][n] = new_value
    self.numCheckpoints[account] = n + 1


@internal
@view
def _lookup(account: address, timepoint: uint256) -> uint256:
    low: uint256 = 0
    high: uint256 = self.numCheckpoints[account]
    for _: uint256 in range(64):
        if low >= high:
            break
        mid: uint256 = (low + high) // 2
        if self._blocks[account][mid] > timepoint:
            high = mid
        else:
            low = mid + 1
    if low == 0:
        return 0
    return self._values[account][low - 1]
