# pragma version 0.4.3
"""
@title Prediction Market
@custom:contract-name PredictionMarket
@license GNU Affero General Public License v3.0 only
@notice Clients pay for predictions: a request carries the input's IPFS CID and
        the fee; the operator fulfils it with the output's CID before the
        deadline, and the fee becomes dividends of the share holders. A request
        not fulfilled in time is refundable to its requester, once. Any other
        income (ETH or the revenue token) is deposited here too.
@dev Fees are held by this contract until fulfilment or refund, so the
     contract's balance always covers every open request. Refunds are pulled.
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
    input_cid: String[64]
    output_cid: String[64]
    fulfilled: bool
    refunded: bool


event PredictionRequested:
    id: indexed(uint256)
    requester: indexed(address)
    input_cid: String[64]
    fee: uint256
    deadline: uint256


event PredictionFulfilled:
    id: indexed(uint256)
    output_cid: String[64]


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


share_token: public(immutable(address))
operator: public(address)
price: public(uint256)
fulfil_deadline: public(uint256)
requests: public(HashMap[uint256, Request])
request_count: public(uint256)
open_fees: public(uint256)


@deploy
def __init__(share_token_: address, operator_: address, price_: uint256, fulfil_deadline_: uint256):
    """
    @dev The deployer owns the market until it hands it to the Timelock.
    @param share_token_ The share token whose holders earn the fees.
    @param operator_ The account that fulfils requests.
    @param price_ The fee per prediction request, in wei.
    @param fulfil_deadline_ Seconds the operator has to fulfil a request.
    """
    ownable.__init__()
    share_token = share_token_
    self.operator = operator_
    self.price = price_
    self.fulfil_deadline = fulfil_deadline_


@external
@payable
def request(input_cid: String[64]) -> uint256:
    """
    @notice Requests a prediction of the metamodel for the input at `input_cid`, paying the price.
    @param input_cid The IPFS CID of the input rows.
    @return uint256 The request id.
    """
    assert len(input_cid) != 0, "market: empty input CID"
    assert msg.value == self.price, "market: fee must equal the price"
    id: uint256 = self.request_count + 1
    self.request_count = id
    deadline: uint256 = block.timestamp + self.fulfil_deadline
    self.requests[id] = Request(
        requester=msg.sender,
        fee=msg.value,
        deadline=deadline,
        input_cid=input_cid,
        output_cid="",
        fulfilled=False,
        refunded=False,
    )
    self.open_fees += msg.value
    log PredictionRequested(id=id, requester=msg.sender, input_cid=input_cid, fee=msg.value, deadline=deadline)
    return id


@external
@nonreentrant
def fulfill(id: uint256, output_cid: String[64]):
    """
    @notice Answers a request with the output's CID; its fee goes to the share holders.
    @param id The request id.
    @param output_cid The IPFS CID of the predictions.
    """
    assert msg.sender == self.operator, "market: caller is not the operator"
    record: Request = self.requests[id]
    assert record.requester != empty(address), "market: unknown request"
    assert not record.fulfilled, "market: already fulfilled"
    assert not record.refunded, "market: already refunded"
    assert block.timestamp <= record.deadline, "market: deadline passed"
    assert len(output_cid) != 0, "market: empty output CID"
    self.requests[id].fulfilled = True
    self.requests[id].output_cid = output_cid
    self.open_fees -= record.fee
    log PredictionFulfilled(id=id, output_cid=output_cid)
    if record.fee != 0:
        extcall IShareToken(share_token).distribute_eth(value=record.fee)


@external
@nonreentrant
def refund(id: uint256):
    """
    @notice Returns the fee of a request not fulfilled by its deadline.
    @param id The request id.
    """
    record: Request = self.requests[id]
    assert record.requester == msg.sender, "market: not the requester"
    assert not record.fulfilled, "market: already fulfilled"
    assert not record.refunded, "market: already refunded"
    assert block.timestamp > record.deadline, "market: deadline not passed"
    self.requests[id].refunded = True
    self.open_fees -= record.fee
    log RequestRefunded(id=id, requester=msg.sender, fee=record.fee)
    if record.fee != 0:
        raw_call(msg.sender, b"", value=record.fee)


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
    @param price_ Wei.
    """
    ownable._check_owner()
    self.price = price_
    log PriceChanged(price=price_)


@external
def set_operator(operator_: address):
    """
    @notice Replaces the operator (Timelock only).
    @param operator_ The new operator.
    """
    ownable._check_owner()
    assert operator_ != empty(address), "market: zero operator"
    self.operator = operator_
    log OperatorChanged(operator=operator_)


@external
def set_fulfil_deadline(fulfil_deadline_: uint256):
    """
    @notice Sets how long the operator has to fulfil a request (Timelock only).
    @param fulfil_deadline_ Seconds.
    """
    ownable._check_owner()
    self.fulfil_deadline = fulfil_deadline_
    log FulfilDeadlineChanged(fulfil_deadline=fulfil_deadline_)
