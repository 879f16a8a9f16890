# pragma version 0.4.3
"""
@title Metamodel DAO Share
@custom:contract-name ShareToken
@license GNU Affero General Public License v3.0 only
@notice The DAO's ownership: an ERC-20 (18 decimals, EIP-2612 `permit`) whose
        holders vote (after delegating, OpenZeppelin ERC20Votes semantics) and
        earn dividends in ETH and in one ERC-20 revenue token. Only the epoch
        settlement contract mints, within a per-epoch cap set by governance.
@dev Composition: snekmate's audited `erc20` keeps balances, allowances,
     permit and EIP-712; this contract wraps every balance change so that the
     `votes` and `dividends` modules see it. erc20's own `transfer`, `mint`,
     `burn` and minter role are deliberately not exported: they would bypass
     the hooks. Balance-changing entry points share one reentrancy lock with
     the dividend claims.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20
from snekmate.utils import ecdsa

from .modules import dividends
from .modules import votes

initializes: ownable
initializes: erc20[ownable := ownable]
initializes: votes[erc20 := erc20]
initializes: dividends[erc20 := erc20]

exports: (
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.approve,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    erc20.eip712Domain,
    ownable.owner,
    ownable.transfer_ownership,
    ownable.renounce_ownership,
    votes.clock,
    votes.CLOCK_MODE,
    votes.delegates,
    votes.getVotes,
    votes.getPastVotes,
    votes.getPastTotalSupply,
    votes.numCheckpoints,
    votes.checkpoints,
    dividends.revenue_token,
    dividends.withdrawable_dividends,
    dividends.withdrawn_dividends,
    dividends.total_distributed_eth,
    dividends.total_distributed_token,
    dividends.total_claimed_eth,
    dividends.total_claimed_token,
    dividends.undistributed_eth,
    dividends.undistributed_token,
)


event MinterChanged:
    previous_minter: indexed(address)
    new_minter: indexed(address)


event EpochMintLimitsChanged:
    max_epoch_mint_bps: uint256
    min_epoch_mint: uint256


event SharesMinted:
    to: indexed(address)
    amount: uint256
    epoch: indexed(uint256)


_DELEGATION_TYPEHASH: constant(bytes32) = keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)")
_BPS: constant(uint256) = 10_000

minter: public(address)
max_epoch_mint_bps: public(uint256)
min_epoch_mint: public(uint256)
minted_in_epoch: public(HashMap[uint256, uint256])
_epoch_start_supply: HashMap[uint256, uint256]
_epoch_started: HashMap[uint256, bool]


@deploy
def __init__(
    name_: String[25],
    symbol_: String[5],
    revenue_token_: address,
    name_eip712_: String[50],
    version_eip712_: String[20],
):
    """
    @dev The deployer owns the token until it hands ownership to the Timelock.
         No minter is set: the settlement contract is wired in afterwards.
    @param name_ The token name.
    @param symbol_ The token symbol.
    @param revenue_token_ The ERC-20 whose revenue is distributed besides ETH.
    @param name_eip712_ The EIP-712 signing-domain name.
    @param version_eip712_ The EIP-712 signing-domain version.
    """
    ownable.__init__()
    erc20.__init__(name_, symbol_, 18, name_eip712_, version_eip712_)
    # erc20 makes its deployer a minter of its own (unexported) mint; clear it for clarity.
    erc20.is_minter[msg.sender] = False
    votes.__init__()
    dividends.__init__(revenue_token_)


@external
@nonreentrant
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` shares from the caller to `to`.
    @param to The 20-byte receiver address.
    @param amount The number of shares (18 decimals).
    @return bool True on success.
    """
    self._transfer(msg.sender, to, amount)
    return True


@external
@nonreentrant
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Moves `amount` shares from `owner` to `to` using the caller's allowance.
    @param owner The 20-byte owner address.
    @param to The 20-byte receiver address.
    @param amount The number of shares.
    @return bool True on success.
    """
    erc20._spend_allowance(owner, msg.sender, amount)
    self._transfer(owner, to, amount)
    return True


@external
@nonreentrant
def mint(to: address, amount: uint256, epoch: uint256):
    """
    @notice Mints `amount` new shares of `epoch` to `to` (minter only, within the epoch cap).
    @dev The recipient is auto-delegated to itself when it has no delegate:
         contributors receive shares by mint, and undelegated supply would make
         a supply-based quorum unreachable.
    @param to The 20-byte receiver address.
    @param amount The number of shares.
    @param epoch The epoch the shares were earned in.
    """
    assert msg.sender == self.minter, "share: caller is not the minter"
    assert to != empty(address), "share: mint to the zero address"
    if not self._epoch_started[epoch]:
        self._epoch_started[epoch] = True
        self._epoch_start_supply[epoch] = erc20.totalSupply
    minted: uint256 = self.minted_in_epoch[epoch] + amount
    assert minted <= self._epoch_mint_cap(epoch), "share: epoch mint cap exceeded"
    self.minted_in_epoch[epoch] = minted
    erc20._mint(to, amount)
    votes._transfer_voting_units(empty(address), to, amount)
    dividends._on_transfer(empty(address), to, amount)
    if votes._delegates[to] == empty(address):
        votes._delegate(to, to)
    # Revenue that arrived with no shares outstanding goes to the first shares.
    dividends._fold_held(empty(address))
    dividends._fold_held(dividends.revenue_token)
    log SharesMinted(to=to, amount=amount, epoch=epoch)


@external
@nonreentrant
def burn(amount: uint256):
    """
    @notice Destroys `amount` of the caller's shares (dividends already earned stay claimable).
    @param amount The number of shares.
    """
    erc20._burn(msg.sender, amount)
    votes._transfer_voting_units(msg.sender, empty(address), amount)
    dividends._on_transfer(msg.sender, empty(address), amount)


@external
def delegate(delegatee: address):
    """
    @notice Delegates the caller's votes to `delegatee` (itself to vote directly).
    @param delegatee The 20-byte delegate address.
    """
    votes._delegate(msg.sender, delegatee)


@external
def delegateBySig(delegatee: address, nonce: uint256, expiry: uint256, v: uint8, r: bytes32, s: bytes32):
    """
    @notice Delegates by an EIP-712 signature (nonces shared with `permit`).
    @param delegatee The 20-byte delegate address.
    @param nonce The signer's current nonce.
    @param expiry The timestamp after which the signature is void.
    @param v The secp256k1 recovery id.
    @param r The first 32 bytes of the signature.
    @param s The second 32 bytes of the signature.
    """
    assert block.timestamp <= expiry, "share: signature expired"
    digest: bytes32 = erc20.eip712_domain_separator._hash_typed_data_v4(
        keccak256(abi_encode(_DELEGATION_TYPEHASH, delegatee, nonce, expiry))
    )
    signer: address = ecdsa._recover_vrs(digest, convert(v, uint256), convert(r, uint256), convert(s, uint256))
    assert signer != empty(address), "share: invalid signature"
    assert nonce == erc20.nonces[signer], "share: invalid nonce"
    erc20.nonces[signer] = nonce + 1
    votes._delegate(signer, delegatee)


@external
@payable
@nonreentrant
def distribute_eth():
    """
    @notice Distributes the ETH sent to current holders pro rata (revenue deposit).
    """
    dividends._distribute(empty(address), msg.value)


@external
@payable
@nonreentrant
def __default__():
    """
    @notice Plain ETH sent to the token is revenue, distributed like `distribute_eth`.
    """
    dividends._distribute(empty(address), msg.value)


@external
@nonreentrant
def distribute_token(amount: uint256):
    """
    @notice Pulls `amount` revenue tokens from the caller and distributes what arrived.
    @dev The caller must have approved this contract. The revenue token is fixed
         at deployment and can never be this share token.
    @param amount The number of revenue-token units to pull.
    """
    dividends._receive_token(amount)


@external
@nonreentrant
def claim():
    """
    @notice Pays the caller its ETH and revenue-token dividends.
    """
    dividends._claim(msg.sender)


@external
@nonreentrant
def claim_for(holder: address):
    """
    @notice Pays `holder` its dividends (keepers may claim for contracts).
    @param holder The 20-byte holder address; the payment goes to it, never to the caller.
    """
    dividends._claim(holder)


@external
def set_minter(new_minter: address):
    """
    @notice Sets the only account that may mint (the epoch settlement). Owner only.
    @param new_minter The 20-byte minter address.
    """
    ownable._check_owner()
    log MinterChanged(previous_minter=self.minter, new_minter=new_minter)
    self.minter = new_minter


@external
def set_epoch_mint_limits(max_epoch_mint_bps_: uint256, min_epoch_mint_: uint256):
    """
    @notice Sets the per-epoch mint cap: max(min_epoch_mint, supply at the epoch's first mint * bps / 10000).
    @param max_epoch_mint_bps_ The cap as basis points of the supply.
    @param min_epoch_mint_ The floor of the cap, so that the first epochs can mint.
    """
    ownable._check_owner()
    assert max_epoch_mint_bps_ <= _BPS, "share: cap above 100% of the supply"
    self.max_epoch_mint_bps = max_epoch_mint_bps_
    self.min_epoch_mint = min_epoch_mint_
    log EpochMintLimitsChanged(max_epoch_mint_bps=max_epoch_mint_bps_, min_epoch_mint=min_epoch_mint_)


@external
@view
def epoch_mint_cap(epoch: uint256) -> uint256:
    """
    @notice How many shares `epoch` may mint in all.
    @param epoch The epoch number.
    @return uint256 The cap (minted so far included).
    """
    return self._epoch_mint_cap(epoch)


@internal
@view
def _epoch_mint_cap(epoch: uint256) -> uint256:
    supply: uint256 = erc20.totalSupply
    if self._epoch_started[epoch]:
        supply = self._epoch_start_supply[epoch]
    return max(self.min_epoch_mint, supply * self.max_epoch_mint_bps // _BPS)


@internal
def _transfer(owner: address, to: address, amount: uint256):
    erc20._transfer(owner, to, amount)
    votes._transfer_voting_units(owner, to, amount)
    dividends._on_transfer(owner, to, amount)
