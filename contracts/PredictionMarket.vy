# pragma version 0.4.3
"""
@title Prediction Market
@custom:contract-name PredictionMarket
@license GNU Affero General Public License v3.0 only
@notice Clients pay for predictions: a request carries the input's IPFS CID and
        the fee; the operator fulfils it with the output's CID before the
        deadline, and the fee becomes dividends of the share holders. A request
        the operator cannot serve (unreadable, oversized or unavailable input,
        no model to serve it) is refused on-chain with a reason code and its
        fee goes back to the requester at once; a request neither fulfilled nor
        refused in time is refundable to its requester, once. Any other income
        (ETH or the revenue token) is deposited here too.
@dev Fees are held by this contract until fulfilment or refund:
     `open_fees` = the fees of every OPEN or REFUSED request, and the
     contract's balance always covers it. The CIDs travel in calldata and
     events only (`PredictionRequested.input_cid`, `PredictionFulfilled.output_cid`):
     no contract reads them, and storing two strings per request tripled its
     gas. A request is two slots: `requester | fee << 160` and
     `deadline | status << 64`. The per-request counters share one slot with
     the fulfil deadline, and the operator one with the price, so a request or
     a fulfilment reads and writes each once.
     Statuses: OPEN 0, FULFILLED 1, REFUNDED 2 (fee paid back, after the
     deadline or on a refusal), REFUSED 3 (refused, but the refund pushed to
     the requester failed: it stays claimable by `refund` at any time).
"""

from ethereum.ercs import IERC20
from snekmate.auth import ownable

initializes: ownable

exports: (ownable.owner, ownable.transfer_ownership, ownable.renounce_ownership)


interface IShareToken:
    def distribute_eth(): payable
    def distribute_token(amount: uint256): nonpayable
    def revenue_token() -> address: view


struct Request:
    requester: address
    fee: uint256
    deadline: uint256
    status: uint8


event PredictionRequested:
    id: indexed(uint256)
    requester: indexed(address)
    input_cid: String[64]
    fee: uint256
    deadline: uint256


event PredictionFulfilled:
    id: indexed(uint256)
    output_cid: String[64]


event RequestRefused:
    id: indexed(uint256)
    requester: indexed(address)
    reason: uint8
    fee: uint256


event RequestRefunded:
    id: indexed(uint256)
    requester: indexed(address)
    fee: uint256


event RevenueDeposited:
    depositor: indexed(address)
    asset: indexed(address)
    amount: uint256


event PriceChanged:
    price: uint256


event OperatorChanged:
    operator: indexed(address)


event FulfilDeadlineChanged:
    fulfil_deadline: uint256


OPEN: constant(uint256) = 0
FULFILLED: constant(uint256) = 1
REFUNDED: constant(uint256) = 2
REFUSED: constant(uint256) = 3

# Refusal reasons (dao.chain.enums.RefusalReason mirrors them).
REASON_INVALID_INPUT: constant(uint8) = 1  # unreadable, or not the model's features
REASON_INPUT_TOO_LARGE: constant(uint8) = 2
REASON_INPUT_UNAVAILABLE: constant(uint8) = 3  # not a CID, or its content cannot be fetched
REASON_MODEL_UNAVAILABLE: constant(uint8) = 4  # no final metamodel can serve it (expired, lost)
REASON_OPERATOR_ERROR: constant(uint8) = 5  # the operator failed to compute the answer
MAX_REASON: constant(uint8) = 5

# Gas the refund pushed on a refusal may use: enough for a wallet's receive hook, too little to
# make the operator pay for a requester's loop. A failed push leaves the refund to `refund`.
_REFUND_GAS: constant(uint256) = 30_000

_ADDRESS_MASK: constant(uint256) = (1 << 160) - 1
_U64: constant(uint256) = (1 << 64) - 1
_U128: constant(uint256) = (1 << 128) - 1
_MAX_PRICE: constant(uint256) = (1 << 96) - 1
_MAX_DEADLINE: constant(uint256) = (1 << 32) - 1


struct _Record:
    head: uint256  # requester | fee << 160
    tail: uint256  # deadline | status << 64


share_token: public(immutable(address))
_requests: HashMap[uint256, _Record]
# open_fees | request_count << 128 | fulfil_deadline << 192
_counters: uint256
# operator | price << 160
_operator_price: uint256


@deploy
def __init__(share_token_: address, operator_: address, price_: uint256, fulfil_deadline_: uint256):
    """
    @dev The deployer owns the market until it hands it to the Timelock.
    @param share_token_ The share token whose holders earn the fees.
    @param operator_ The account that fulfils requests.
    @param price_ The fee per prediction request, in wei (below 2**96).
    @param fulfil_deadline_ Seconds the operator has to fulfil a request (below 2**32).
    """
    ownable.__init__()
    share_token = share_token_
    assert operator_ != empty(address), "market: zero operator"
    assert price_ <= _MAX_PRICE, "market: price too large"
    assert fulfil_deadline_ <= _MAX_DEADLINE, "market: fulfil deadline too long"
    self._operator_price = convert(operator_, uint256) | price_ << 160
    self._counters = fulfil_deadline_ << 192


@external
@payable
def request(input_cid: String[64]) -> uint256:
    """
    @notice Requests a prediction of the metamodel for the input at `input_cid`, paying the price.
    @param input_cid The IPFS CID of the input rows.
    @return uint256 The request id.
    """
    assert len(input_cid) != 0, "market: empty input CID"
    assert msg.value == self._operator_price >> 160, "market: fee must equal the price"
    counters: uint256 = self._counters
    id: uint256 = ((counters >> 128) & _U64) + 1
    deadline: uint256 = block.timestamp + (counters >> 192)
    # open_fees cannot pass 2**128: it is at most 2**64 requests of fees below 2**96 (price bound).
    self._counters = (counters >> 192) << 192 | id << 128 | ((counters & _U128) + msg.value)
    self._requests[id] = _Record(head=convert(msg.sender, uint256) | msg.value << 160, tail=deadline)
    log PredictionRequested(id=id, requester=msg.sender, input_cid=input_cid, fee=msg.value, deadline=deadline)
    return id


@external
@nonreentrant
def fulfill(id: uint256, output_cid: String[64]):
    """
    @notice Answers a request with the output's CID; its fee goes to the share holders.
    @param id The request id.
    @param output_cid The IPFS CID of the predictions (logged in `PredictionFulfilled`).
    """
    assert msg.sender == convert(self._operator_price & _ADDRESS_MASK, address), "market: caller is not the operator"
    assert len(output_cid) != 0, "market: empty output CID"
    fee: uint256 = self._open(id)
    tail: uint256 = self._requests[id].tail
    assert block.timestamp <= tail & _U64, "market: deadline passed"
    self._requests[id].tail = tail | FULFILLED << 64
    self._counters -= fee
    log PredictionFulfilled(id=id, output_cid=output_cid)
    if fee != 0:
        extcall IShareToken(share_token).distribute_eth(value=fee)


@external
@nonreentrant
def refuse(id: uint256, reason: uint8):
    """
    @notice Refuses a request the operator cannot serve; its fee is sent back to the requester at once.
    @dev Allowed while the request is open, before or after its deadline (it only
         returns the fee to its owner). The refund is pushed with bounded gas;
         if the requester does not accept it, the request stays REFUSED and
         its fee is claimable with `refund` at any time.
    @param id The request id.
    @param reason Why (1 invalid input, 2 input too large, 3 input unavailable,
           4 no model to serve it, 5 operator error).
    """
    assert msg.sender == convert(self._operator_price & _ADDRESS_MASK, address), "market: caller is not the operator"
    assert reason != 0 and reason <= MAX_REASON, "market: unknown refusal reason"
    fee: uint256 = self._open(id)
    requester: address = convert(self._requests[id].head & _ADDRESS_MASK, address)
    tail: uint256 = self._requests[id].tail
    log RequestRefused(id=id, requester=requester, reason=reason, fee=fee)
    if fee == 0:
        self._requests[id].tail = tail | REFUNDED << 64
        return
    # Effects first: a requester re-entering sees the request closed and the fee already owed.
    self._requests[id].tail = tail | REFUNDED << 64
    self._counters -= fee
    if raw_call(requester, b"", value=fee, gas=_REFUND_GAS, revert_on_failure=False):
        log RequestRefunded(id=id, requester=requester, fee=fee)
    else:
        self._requests[id].tail = tail | REFUSED << 64
        self._counters += fee


@external
@nonreentrant
def refund(id: uint256):
    """
    @notice Returns the fee of a request not fulfilled by its deadline, or refused without being repaid.
    @param id The request id.
    """
    record: _Record = self._requests[id]
    assert convert(record.head & _ADDRESS_MASK, address) == msg.sender, "market: not the requester"
    status: uint256 = record.tail >> 64
    assert status != FULFILLED, "market: already fulfilled"
    assert status != REFUNDED, "market: already refunded"
    assert status == REFUSED or block.timestamp > record.tail & _U64, "market: deadline not passed"
    fee: uint256 = record.head >> 160
    self._requests[id].tail = (record.tail & _U64) | REFUNDED << 64
    self._counters -= fee
    log RequestRefunded(id=id, requester=msg.sender, fee=fee)
    if fee != 0:
        raw_call(msg.sender, b"", value=fee)


@external
@view
def requests(id: uint256) -> Request:
    """
    @notice A request's requester, fee, deadline and status (0 open, 1 fulfilled, 2 refunded, 3 refused and owed).
    @dev The CIDs are in the `PredictionRequested` and `PredictionFulfilled` events.
    @param id The request id.
    @return Request The request (all zero for an unknown id).
    """
    record: _Record = self._requests[id]
    return Request(
        requester=convert(record.head & _ADDRESS_MASK, address),
        fee=record.head >> 160,
        deadline=record.tail & _U64,
        status=convert(record.tail >> 64, uint8),
    )


@external
@view
def request_count() -> uint256:
    """
    @notice How many requests were ever made (ids run from 1 to this).
    @return uint256 The count.
    """
    return (self._counters >> 128) & _U64


@external
@view
def open_fees() -> uint256:
    """
    @notice The fees held for requesters: every open or refused-and-unpaid request's fee.
    @return uint256 Wei.
    """
    return self._counters & _U128


@external
@view
def fulfil_deadline() -> uint256:
    """
    @notice Seconds the operator has to fulfil a request.
    @return uint256 Seconds.
    """
    return self._counters >> 192


@external
@view
def operator() -> address:
    """
    @notice The account that fulfils and refuses requests.
    @return address The operator.
    """
    return convert(self._operator_price & _ADDRESS_MASK, address)


@external
@view
def price() -> uint256:
    """
    @notice The fee per request.
    @return uint256 Wei.
    """
    return self._operator_price >> 160


@external
@payable
@nonreentrant
def deposit_revenue():
    """
    @notice Passes other ETH income on to the share holders as dividends.
    """
    assert msg.value != 0, "market: nothing deposited"
    log RevenueDeposited(depositor=msg.sender, asset=empty(address), amount=msg.value)
    extcall IShareToken(share_token).distribute_eth(value=msg.value)


@external
@nonreentrant
def deposit_revenue_token(amount: uint256):
    """
    @notice Pulls `amount` of the revenue token from the caller and passes it on as dividends.
    @param amount Revenue-token units (the caller must have approved this contract).
    """
    assert amount != 0, "market: nothing deposited"
    token: address = staticcall IShareToken(share_token).revenue_token()
    before: uint256 = staticcall IERC20(token).balanceOf(self)
    assert extcall IERC20(token).transferFrom(msg.sender, self, amount, default_return_value=True), "market: transferFrom failed"
    received: uint256 = staticcall IERC20(token).balanceOf(self) - before
    assert extcall IERC20(token).approve(share_token, received, default_return_value=True), "market: approve failed"
    log RevenueDeposited(depositor=msg.sender, asset=token, amount=received)
    extcall IShareToken(share_token).distribute_token(received)


@external
def set_price(price_: uint256):
    """
    @notice Sets the fee per request (Timelock only).
    @param price_ Wei, below 2**96.
    """
    ownable._check_owner()
    assert price_ <= _MAX_PRICE, "market: price too large"
    self._operator_price = (self._operator_price & _ADDRESS_MASK) | price_ << 160
    log PriceChanged(price=price_)


@external
def set_operator(operator_: address):
    """
    @notice Replaces the operator (Timelock only).
    @param operator_ The new operator.
    """
    ownable._check_owner()
    assert operator_ != empty(address), "market: zero operator"
    self._operator_price = (self._operator_price >> 160) << 160 | convert(operator_, uint256)
    log OperatorChanged(operator=operator_)


@external
def set_fulfil_deadline(fulfil_deadline_: uint256):
    """
    @notice Sets how long the operator has to fulfil a request (Timelock only).
    @param fulfil_deadline_ Seconds, below 2**32.
    """
    ownable._check_owner()
    assert fulfil_deadline_ <= _MAX_DEADLINE, "market: fulfil deadline too long"
    self._counters = (self._counters & ((1 << 192) - 1)) | fulfil_deadline_ << 192
    log FulfilDeadlineChanged(fulfil_deadline=fulfil_deadline_)


@internal
@view
def _open(id: uint256) -> uint256:
    """
    @dev The fee of request `id`, which must exist and be open.
    """
    head: uint256 = self._requests[id].head
    assert head != 0, "market: unknown request"
    status: uint256 = self._requests[id].tail >> 64
    assert status != FULFILLED, "market: already fulfilled"
    assert status != REFUSED, "market: already refused"
    assert status == OPEN, "market: already refunded"
    return head >> 160
