# pragma version 0.4.3
"""
@title Epoch Settlement
@custom:contract-name EpochSettlement
@license GNU Affero General Public License v3.0 only
@notice The life of an epoch: governance opens it with a recipe; contributors
        register during the contribution period; the operator commits the
        valuation report (its CID, an inputs hash, a mint root, the total mint
        and a slash root) with a bond; anyone may challenge with a bond during
        the challenge window (a pending challenge keeps it open for others), and
        governance, or the bootstrap guardian, resolves each challenge; then
        anyone finalizes, and contributors claim their shares with Merkle proofs
        while slashes execute with Merkle proofs. Settlement costs the same
        whatever the number of contributors: the chain stores roots, not lists.
        Liveness does not depend on governance: an epoch without a report by its
        commit deadline, or with a challenge unresolved by its resolution
        deadline, may be voided by anyone (no shares, no slashes, every bond back
        to whoever posted it, every stake withdrawable), so every epoch is final
        or voidable by `contributions_close + commit_period + challenge_window +
        resolution_period` (see docs/security.md).
@dev Leaves follow OpenZeppelin's StandardMerkleTree: keccak256(keccak256(
     abi_encode(values))), sorted-pair proofs (snekmate's verifier). Each leaf
     is claimed or slashed at most once; the minted total never exceeds the
     committed total (the share token's pool holds exactly that total). Bonds are paid by pull (`withdraw`). The economic policy
     (emission, data pool split, slash cap) is a governance parameter copied
     into each epoch when it opens, so a change never affects an open epoch.
"""

from snekmate.auth import ownable
from snekmate.utils import merkle_proof_verification

from .interfaces import IOutcomeBoard

initializes: ownable

exports: (ownable.owner, ownable.transfer_ownership, ownable.renounce_ownership)


interface IShareToken:
    def allocate(epoch: uint256, amount: uint256): nonpayable
    def release(epoch: uint256, to: address, amount: uint256): nonpayable
    def epoch_mint_cap(epoch: uint256) -> uint256: view
    def reserve_epoch_mint(epoch: uint256, amount: uint256): nonpayable
    def distribute_eth(): payable
    def released_shares(epoch: uint256) -> uint256: view


interface IRegistry:
    def slash(id: uint256, amount: uint256) -> uint256: nonpayable
    def stake_of(id: uint256) -> uint256: view
    def contribution_epoch(id: uint256) -> uint256: view


# Epoch status.
OPEN: public(constant(uint8)) = 1  # contributions, then awaiting a report
COMMITTED: public(constant(uint8)) = 2
CHALLENGED: public(constant(uint8)) = 3
FINAL: public(constant(uint8)) = 4
VOID: public(constant(uint8)) = 5  # settled without a report: no shares, no slashes, stakes free
_BPS: constant(uint256) = 10_000

# Challenge status.
PENDING: public(constant(uint8)) = 1
UPHELD: public(constant(uint8)) = 2
REJECTED: public(constant(uint8)) = 3
REFUNDED: public(constant(uint8)) = 4  # its report was voided or replaced without a verdict on it
FORFEITED: public(constant(uint8)) = 5  # unjudged at its resolution deadline: the bond went to holders

# The guardian acts until `guardian_until` and, after the first final epoch, until this many
# further epochs are settled (final or void: voiding an epoch does not extend the term).
GUARDIAN_EPOCHS: public(constant(uint256)) = 3


# The view of an epoch (`epochs`); storage keeps it packed, see `_header`.
struct Epoch:
    recipe_cid: String[64]
    params_hash: bytes32
    contributions_close: uint256
    status: uint8
    report_codec: uint8  # 0: CIDv0 (dag-pb); 0x55 raw or 0x70 dag-pb: a base32 CIDv1
    report_digest: bytes32  # the sha2-256 digest in the report's CID (zero: no report)
    inputs_hash: bytes32
    mint_root: bytes32
    total_mint: uint256
    minted: uint256
    slash_root: bytes32
    committed_at: uint256
    operator_bond: uint256
    finalized_at: uint256
    emission: uint256
    data_pool_bps: uint256
    slash_cap_bps: uint256
    committer: address  # who committed (and bonded) the standing report
    commit_deadline: uint256  # no report (or re-commit) at or after this: anyone may void
    round: uint256  # reports committed so far in this epoch; challenges target one round
    pending_challenges: uint256  # unresolved challenges of the standing report (in window + late)
    resolve_by: uint256  # a pending challenge unresolved at this time voids the epoch (default)


struct Challenge:
    epoch: uint256
    round: uint256
    challenger: address
    bond: uint256
    status: uint8
    late: bool  # filed after the challenge window (kept open by a pending challenge)


event EpochOpened:
    epoch: indexed(uint256)
    recipe_cid: String[64]
    params_hash: bytes32
    contributions_close: uint256


# The report's CID string is rebuilt from (report_codec, report_digest) as the registry's CIDs are.
event EpochCommitted:
    epoch: indexed(uint256)
    report_codec: uint8
    report_digest: bytes32
    inputs_hash: bytes32
    mint_root: bytes32
    total_mint: uint256
    slash_root: bytes32


event EpochChallenged:
    epoch: indexed(uint256)
    challenger: indexed(address)
    reason_cid: String[64]
    challenge_id: uint256
    resolve_by: uint256


event ChallengeResolved:
    epoch: indexed(uint256)
    upheld: bool
    challenge_id: uint256


event ChallengeRefunded:
    challenge_id: indexed(uint256)
    challenger: indexed(address)
    amount: uint256


event ChallengeForfeited:
    challenge_id: indexed(uint256)
    challenger: indexed(address)
    amount: uint256


event EpochVoided:
    epoch: indexed(uint256)
    by: indexed(address)


event GuardianRemoved:
    guardian: indexed(address)
    by: indexed(address)


event DeadlinesChanged:
    commit_period: uint256
    resolution_period: uint256


event EpochFinalized:
    epoch: indexed(uint256)


event SharesClaimed:
    epoch: indexed(uint256)
    account: indexed(address)
    amount: uint256


event SlashExecuted:
    epoch: indexed(uint256)
    contribution_id: indexed(uint256)
    amount: uint256


event BondWithdrawn:
    account: indexed(address)
    amount: uint256


event OperatorChanged:
    operator: indexed(address)


event WindowsChanged:
    contribution_period: uint256
    challenge_window: uint256


event BondsChanged:
    operator_bond: uint256
    challenge_bond: uint256


event OutcomeBoardChanged:
    outcome_board: indexed(address)


event PolicyChanged:
    emission: uint256
    data_pool_bps: uint256
    slash_cap_bps: uint256


# CID codecs as in the registry (0 stands for a CIDv0); every CID is sha2-256.
_CID_V0: constant(uint8) = 0
_CID_RAW: constant(uint8) = 85
_CID_DAG_PB: constant(uint8) = 112

# `_header` of an epoch: the fields most paths read, in one word.
_STATUS_MASK: constant(uint256) = 255
_ROUND_SHIFT: constant(uint256) = 8  # 24 bits
_PENDING_SHIFT: constant(uint256) = 32  # 16 bits: pending challenges filed in the window
_LATE_SHIFT: constant(uint256) = 48  # 16 bits: pending challenges filed after it
_CODEC_SHIFT: constant(uint256) = 64  # 8 bits: the report's CID codec
_CLOSE_SHIFT: constant(uint256) = 72  # 40 bits: contributions_close
_DEADLINE_SHIFT: constant(uint256) = 112  # 40 bits: commit_deadline
_COMMITTED_SHIFT: constant(uint256) = 152  # 40 bits: committed_at
_RESOLVE_SHIFT: constant(uint256) = 192  # 40 bits: resolve_by
_CAP_SHIFT: constant(uint256) = 232  # 16 bits: slash_cap_bps
# Bit 248: the epoch is scored live; the outcome board rules its report and void deadlines.
_LIVE: constant(uint256) = 1 << 248
_MASK_8: constant(uint256) = 2**8 - 1
_MASK_16: constant(uint256) = 2**16 - 1
_MASK_24: constant(uint256) = 2**24 - 1
_MASK_32: constant(uint256) = 2**32 - 1
_MASK_40: constant(uint256) = 2**40 - 1
_MASK_96: constant(uint256) = 2**96 - 1
_MASK_128: constant(uint256) = 2**128 - 1
_ADDRESS_MASK: constant(uint256) = 2**160 - 1
# `_policy`: emission (128 bits) | data_pool_bps << 128 (16) | operator_bond << 144 (96).
_POOL_SHIFT: constant(uint256) = 128
_BOND_SHIFT: constant(uint256) = 144
# Periods are bounded so that timestamps plus periods always fit their 40-bit fields.
_MAX_PERIOD: constant(uint256) = 2**32

share_token: public(immutable(address))
registry: public(immutable(address))
operator: public(address)
guardian: public(address)
# The guardian's hard end, fixed at deployment: after it no guardian power remains, whatever happened.
guardian_until: public(immutable(uint256))
# The live-scoring state of live epochs (docs/live_scoring.md); zero: no live epochs.
outcome_board: public(address)
contribution_period: public(uint256)
challenge_window: public(uint256)
commit_period: public(uint256)
resolution_period: public(uint256)
operator_bond: public(uint256)
challenge_bond: public(uint256)
emission: public(uint256)
data_pool_bps: public(uint256)
slash_cap_bps: public(uint256)
current_epoch: public(uint256)
# An epoch is stored packed, by what each path reads and writes: `_header` (status, round,
# pending challenges, report codec, the four deadlines, slash cap), `_policy` (emission, data pool,
# operator bond), `_report` (committer | total_mint << 160), `_finalized_at`, one word per root or
# digest, and the recipe. Shares claimed so far are counted by the token's pool (`released_shares`).
_header: HashMap[uint256, uint256]
_policy: HashMap[uint256, uint256]
_report: HashMap[uint256, uint256]
_finalized_at: HashMap[uint256, uint256]
_report_digest: HashMap[uint256, bytes32]
_inputs_hash: HashMap[uint256, bytes32]
_mint_root: HashMap[uint256, bytes32]
_slash_root: HashMap[uint256, bytes32]
_recipe_cid: HashMap[uint256, String[64]]
_params_hash: HashMap[uint256, bytes32]
bonds_owed: public(HashMap[address, uint256])
leaf_used: public(HashMap[uint256, HashMap[bytes32, bool]])
challenges: public(HashMap[uint256, Challenge])
challenge_count: public(uint256)
# Wei slashed so far from each contribution (only its own epoch's report slashes it): the cap
# applies to this running total, not to each leaf.
slashed_total: public(HashMap[uint256, uint256])
# The first epoch that became final (0: none yet): the guardian's clock starts there, and
# `reopen` is open to anyone only before it.
_first_final: uint256


@deploy
def __init__(
    share_token_: address,
    registry_: address,
    operator_: address,
    contribution_period_: uint256,
    challenge_window_: uint256,
    operator_bond_: uint256,
    challenge_bond_: uint256,
    guardian_: address,
    guardian_term_: uint256,
):
    """
    @dev The deployer owns the settlement until it hands it to the Timelock.
         The commit period (7 days) and the resolution period (14 days) start at
         their defaults; governance changes them with `set_deadlines`.
    @param share_token_ The share token this contract mints.
    @param registry_ The contribution registry it slashes through.
    @param operator_ The account that commits reports.
    @param contribution_period_ Seconds an epoch accepts contributions.
    @param challenge_window_ Seconds a committed report can be challenged.
    @param operator_bond_ The operator's bond per report, in wei.
    @param challenge_bond_ A challenger's bond, in wei.
    @param guardian_ The bootstrap guardian (expected: a multisig), or the zero
           address for none. It may only resolve challenges and void an
           unsettled epoch; governance removes it, and it expires by itself.
    @param guardian_term_ Seconds from deployment after which the guardian's
           powers end in any case (`guardian_until`), at most 2**32.
    """
    ownable.__init__()
    share_token = share_token_
    registry = registry_
    self.operator = operator_
    self.contribution_period = contribution_period_
    self.challenge_window = challenge_window_
    self.operator_bond = operator_bond_
    self.challenge_bond = challenge_bond_
    self.guardian = guardian_
    assert guardian_term_ <= _MAX_PERIOD, "settlement: guardian term above 2**32 seconds"
    guardian_until = block.timestamp + guardian_term_
    assert contribution_period_ <= _MAX_PERIOD and challenge_window_ <= _MAX_PERIOD, "settlement: period above 2**32 seconds"
    assert operator_bond_ <= _MASK_96, "settlement: operator bond above 2**96 wei"
    self.commit_period = 7 * 86_400
    self.resolution_period = 14 * 86_400
    self.emission = 1_000_000 * 10**18
    self.data_pool_bps = 7_000
    self.slash_cap_bps = 2_000


@external
def open_epoch(recipe_cid: String[64], params_hash: bytes32) -> uint256:
    """
    @notice Opens the next epoch with a recipe (Timelock only: a retrain proposal).
    @param recipe_cid The IPFS CID of the recipe document.
    @param params_hash The keccak256 of the recipe's bytes.
    @return uint256 The new epoch number.
    """
    ownable._check_owner()
    return self._open(recipe_cid, params_hash, 0)


@external
def open_live(recipe_cid: String[64], params_hash: bytes32) -> uint256:
    """
    @notice Opens the next epoch as a live-scored epoch (the outcome board only:
            governance opens live epochs through `OutcomeBoard.open_live_epoch`,
            which sets the live terms in the same transaction).
    @param recipe_cid The IPFS CID of the recipe document.
    @param params_hash The keccak256 of the recipe's bytes.
    @return uint256 The new epoch number.
    """
    assert msg.sender == self.outcome_board and msg.sender != empty(address), "settlement: caller is not the outcome board"
    return self._open(recipe_cid, params_hash, _LIVE)


@internal
def _open(recipe_cid: String[64], params_hash: bytes32, live: uint256) -> uint256:
    assert len(recipe_cid) != 0, "settlement: empty recipe CID"
    previous: uint256 = self.current_epoch
    previous_status: uint256 = self._header[previous] & _STATUS_MASK
    assert previous == 0 or previous_status == convert(FINAL, uint256) or previous_status == convert(VOID, uint256), "settlement: previous epoch not final or void"
    if previous_status == convert(FINAL, uint256) and self._first_final == 0:
        self._first_final = previous
    epoch: uint256 = previous + 1
    self.current_epoch = epoch
    close: uint256 = block.timestamp + self.contribution_period
    self._header[epoch] = (
        convert(OPEN, uint256)
        | close << _CLOSE_SHIFT
        | (close + self.commit_period) << _DEADLINE_SHIFT
        | self.slash_cap_bps << _CAP_SHIFT
        | live
    )
    self._policy[epoch] = self.emission | self.data_pool_bps << _POOL_SHIFT
    self._recipe_cid[epoch] = recipe_cid
    self._params_hash[epoch] = params_hash
    log EpochOpened(epoch=epoch, recipe_cid=recipe_cid, params_hash=params_hash, contributions_close=close)
    return epoch


@external
@payable
def commit(
    epoch: uint256,
    report_codec: uint8,
    report_digest: bytes32,
    inputs_hash: bytes32,
    mint_root: bytes32,
    total_mint: uint256,
    slash_root: bytes32,
):
    """
    @notice Commits the valuation report of `epoch` with the operator's bond.
    @dev The report's CID travels as its parts, as in the registry: `report_codec`
         0 for a CIDv0, 0x55 or 0x70 for a base32 CIDv1, and the sha2-256 digest.
    @param epoch The epoch (the current one).
    @param report_codec The codec of the report's CID (0: CIDv0).
    @param report_digest The sha2-256 digest in the report's CID.
    @param inputs_hash The keccak256 of the report's canonical inputs.
    @param mint_root The Merkle root of (account, shares) leaves.
    @param total_mint The sum of all mint leaves.
    @param slash_root The Merkle root of (contribution id, wei) leaves.
    """
    assert msg.sender == self.operator, "settlement: caller is not the operator"
    assert epoch == self.current_epoch and epoch != 0, "settlement: not the current epoch"
    header: uint256 = self._header[epoch]
    assert header & _STATUS_MASK == convert(OPEN, uint256), "settlement: epoch not awaiting a report"
    assert block.timestamp >= (header >> _CLOSE_SHIFT) & _MASK_40, "settlement: contributions still open"
    if header & _LIVE == 0:
        assert block.timestamp < (header >> _DEADLINE_SHIFT) & _MASK_40, "settlement: commit deadline passed"
    else:
        # Live: after the resolution period, with enough unchallenged rows, by the report deadline.
        assert staticcall IOutcomeBoard(self.outcome_board).check_report(epoch)
    assert msg.value == self.operator_bond, "settlement: wrong operator bond"
    assert report_digest != empty(bytes32), "settlement: empty report CID"
    assert report_codec == _CID_V0 or report_codec == _CID_RAW or report_codec == _CID_DAG_PB, "settlement: invalid report CID (unknown codec)"
    policy: uint256 = self._policy[epoch]
    assert total_mint <= policy & _MASK_128, "settlement: total mint above the epoch emission"
    assert total_mint <= staticcall IShareToken(share_token).epoch_mint_cap(epoch), "settlement: total mint above the cap"
    round: uint256 = ((header >> _ROUND_SHIFT) & _MASK_24) + 1
    assert round <= _MASK_24, "settlement: too many reports"
    # Status, round and codec change; no challenge is pending and no resolution deadline set yet.
    keep: uint256 = header & ~(
        _STATUS_MASK
        | _MASK_24 << _ROUND_SHIFT
        | _MASK_32 << _PENDING_SHIFT
        | _MASK_8 << _CODEC_SHIFT
        | _MASK_40 << _COMMITTED_SHIFT
        | _MASK_40 << _RESOLVE_SHIFT
    )
    self._header[epoch] = (
        keep
        | convert(COMMITTED, uint256)
        | round << _ROUND_SHIFT
        | convert(report_codec, uint256) << _CODEC_SHIFT
        | block.timestamp << _COMMITTED_SHIFT
    )
    self._policy[epoch] = policy | msg.value << _BOND_SHIFT
    # The bond belongs to whoever paid it, even if governance replaces the operator meanwhile.
    self._report[epoch] = convert(msg.sender, uint256) | total_mint << 160
    self._report_digest[epoch] = report_digest
    self._inputs_hash[epoch] = inputs_hash
    self._mint_root[epoch] = mint_root
    if slash_root != empty(bytes32):  # cleared with every earlier report: only a root is written
        self._slash_root[epoch] = slash_root
    # Committed shares stay mintable whatever the supply or the limits do before they are claimed.
    extcall IShareToken(share_token).reserve_epoch_mint(epoch, total_mint)
    log EpochCommitted(
        epoch=epoch,
        report_codec=report_codec,
        report_digest=report_digest,
        inputs_hash=inputs_hash,
        mint_root=mint_root,
        total_mint=total_mint,
        slash_root=slash_root,
    )


@external
@payable
def challenge(epoch: uint256, reason_cid: String[64]) -> uint256:
    """
    @notice Disputes a committed report with a bond. Any number of challenges may
            target one report; they are accepted during the challenge window and,
            while any challenge of the report is pending, until its resolution
            deadline, so a decoy challenge cannot close the window on others.
    @dev A challenge filed after the window ("late") may be upheld before the
         resolution deadline like any other, but if it is still unjudged then it
         counts as rejected: it does not void the report (only an in-window
         challenge does), since governance may have no time left to judge it.
         Any challenge unjudged at the deadline is forfeited (`forfeit_challenge`).
    @param epoch The epoch whose report is disputed.
    @param reason_cid The IPFS CID of the challenger's evidence.
    @return uint256 The challenge id (governance or the guardian names it in its verdict).
    """
    header: uint256 = self._header[epoch]
    status: uint256 = header & _STATUS_MASK
    assert status == convert(COMMITTED, uint256) or status == convert(CHALLENGED, uint256), "settlement: nothing to challenge"
    committed_at: uint256 = (header >> _COMMITTED_SHIFT) & _MASK_40
    resolve_by: uint256 = (header >> _RESOLVE_SHIFT) & _MASK_40
    in_window: bool = block.timestamp < committed_at + self.challenge_window
    kept_open: bool = status == convert(CHALLENGED, uint256) and block.timestamp < resolve_by
    assert in_window or kept_open, "settlement: challenge window closed"
    assert msg.value == self.challenge_bond, "settlement: wrong challenge bond"
    if resolve_by == 0:
        # Fixed at the report's first challenge, so later challenges cannot push it back.
        resolve_by = committed_at + self.challenge_window + self.resolution_period
    # In-window and late challenges are counted apart: only the former can void the report.
    counter: uint256 = _PENDING_SHIFT
    if not in_window:
        counter = _LATE_SHIFT
    pending: uint256 = ((header >> counter) & _MASK_16) + 1
    assert pending <= _MASK_16, "settlement: too many pending challenges"
    keep: uint256 = header & ~(_STATUS_MASK | _MASK_16 << counter | _MASK_40 << _RESOLVE_SHIFT)
    self._header[epoch] = keep | convert(CHALLENGED, uint256) | pending << counter | resolve_by << _RESOLVE_SHIFT
    id: uint256 = self.challenge_count + 1
    self.challenge_count = id
    round: uint256 = (header >> _ROUND_SHIFT) & _MASK_24
    self.challenges[id] = Challenge(
        epoch=epoch, round=round, challenger=msg.sender, bond=msg.value, status=PENDING, late=not in_window
    )
    log EpochChallenged(
        epoch=epoch, challenger=msg.sender, reason_cid=reason_cid, challenge_id=id, resolve_by=resolve_by
    )
    return id


@external
@nonreentrant
def resolve_challenge(challenge_id: uint256, uphold: bool):
    """
    @notice The verdict on one challenge, by governance (the Timelock) or the
            active guardian, before the report's resolution deadline.
    @dev Uphold: the report is void, the challenger's own bond returns to it,
         other challenges of the report become refundable (`refund_challenge`),
         and a new report can be committed until the epoch's commit deadline. The
         operator's bond goes to this challenger when governance upholds (the
         verdict names who earns it), and to the share holders when the guardian
         does, so the guardian cannot pay itself by upholding its own challenge.
         Reject: this challenger's bond goes to the share holders; the report
         stands once no challenge of it is pending.
    @param challenge_id The challenge judged.
    @param uphold True when the challenger was right.
    """
    assert self._is_resolver(msg.sender), "settlement: caller is not governance or the guardian"
    c: Challenge = self.challenges[challenge_id]
    assert c.status == PENDING, "settlement: challenge not pending"
    epoch: uint256 = c.epoch
    header: uint256 = self._header[epoch]
    stands: bool = header & _STATUS_MASK == convert(CHALLENGED, uint256) and (header >> _ROUND_SHIFT) & _MASK_24 == c.round
    assert stands, "settlement: challenged report no longer stands"
    assert block.timestamp < (header >> _RESOLVE_SHIFT) & _MASK_40, "settlement: resolution deadline passed"
    to_holders: uint256 = 0
    if uphold:
        self.challenges[challenge_id].status = UPHELD
        operator_bond: uint256 = self._policy[epoch] >> _BOND_SHIFT
        if msg.sender == ownable.owner:
            self.bonds_owed[c.challenger] += c.bond + operator_bond
        else:
            self.bonds_owed[c.challenger] += c.bond
            to_holders = operator_bond
        self._clear_report(epoch, OPEN)
    else:
        self.challenges[challenge_id].status = REJECTED
        to_holders = c.bond
        counter: uint256 = _PENDING_SHIFT
        if c.late:
            counter = _LATE_SHIFT
        pending: uint256 = ((header >> counter) & _MASK_16) - 1
        header = header & ~(_MASK_16 << counter) | pending << counter
        if (header >> _PENDING_SHIFT) & _MASK_32 == 0:
            header = header & ~_STATUS_MASK | convert(COMMITTED, uint256)
        self._header[epoch] = header
    log ChallengeResolved(epoch=epoch, upheld=uphold, challenge_id=challenge_id)
    if uphold:
        # The void report's reservation goes: the next report is held to the limits of its time.
        extcall IShareToken(share_token).reserve_epoch_mint(epoch, 0)
    if to_holders != 0:
        extcall IShareToken(share_token).distribute_eth(value=to_holders)


@external
def refund_challenge(challenge_id: uint256):
    """
    @notice Returns the bond of a challenge that got no verdict because its report
            was replaced, or voided before its resolution deadline (anyone may
            call; the bond goes to the challenger). A challenge still unjudged at
            the deadline is forfeited instead (`forfeit_challenge`).
    @param challenge_id The challenge.
    """
    c: Challenge = self.challenges[challenge_id]
    assert c.status == PENDING, "settlement: challenge not pending"
    assert not self._unjudged_at_deadline(c), "settlement: challenge unjudged at its resolution deadline (forfeit it)"
    header: uint256 = self._header[c.epoch]
    status: uint256 = header & _STATUS_MASK
    has_report: bool = status == convert(COMMITTED, uint256) or status == convert(CHALLENGED, uint256)
    stands: bool = has_report and (header >> _ROUND_SHIFT) & _MASK_24 == c.round
    assert not stands, "settlement: challenge awaits its verdict"
    self.challenges[challenge_id].status = REFUNDED
    self.bonds_owed[c.challenger] += c.bond
    log ChallengeRefunded(challenge_id=challenge_id, challenger=c.challenger, amount=c.bond)


@external
def forfeit_challenge(challenge_id: uint256):
    """
    @notice Pays to the share holders the bond of a challenge that was still
            unjudged at its report's resolution deadline (anyone may call). An
            unjudged challenge costs its challenger the bond, so a baseless one
            cannot stall an epoch for free when nobody can judge it in time.
    @param challenge_id The challenge.
    """
    c: Challenge = self.challenges[challenge_id]
    assert c.status == PENDING, "settlement: challenge not pending"
    assert self._unjudged_at_deadline(c), "settlement: challenge not unjudged at its resolution deadline"
    self.challenges[challenge_id].status = FORFEITED
    log ChallengeForfeited(challenge_id=challenge_id, challenger=c.challenger, amount=c.bond)
    extcall IShareToken(share_token).distribute_eth(value=c.bond)


@internal
@view
def _unjudged_at_deadline(c: Challenge) -> bool:
    """
    @dev Whether the pending challenge `c` reached its report's resolution deadline
         without a verdict: its report still stands past `resolve_by`, or became
         final with it pending (only late challenges allow that), or was voided
         at or after `resolve_by` (a void then keeps `resolve_by`). A report
         replaced after an upheld challenge, or voided by a resolver before the
         deadline, leaves its other challenges refundable instead.
    """
    header: uint256 = self._header[c.epoch]
    status: uint256 = header & _STATUS_MASK
    if (header >> _ROUND_SHIFT) & _MASK_24 != c.round:
        return False
    if status == convert(CHALLENGED, uint256) or status == convert(VOID, uint256):
        resolve_by: uint256 = (header >> _RESOLVE_SHIFT) & _MASK_40
        return resolve_by != 0 and block.timestamp >= resolve_by
    return status == convert(FINAL, uint256)


@external
def void_epoch(epoch: uint256):
    """
    @notice Settles an epoch without a report: no shares are minted, nothing is
            slashed, its stakes become withdrawable and the operator's bond returns to
            whoever committed it. Pending challenges become refundable, or, if the
            resolution deadline has passed, forfeited (`forfeit_challenge`).
    @dev Anyone may void an epoch that has no report by its commit deadline, or
         whose challenge filed in the challenge window is unjudged at its
         resolution deadline (the stated default: no verdict, so no shares; the
         unjudged challenges' bonds go to the holders). Challenges filed after
         the window that are unjudged then count as rejected: the report stands
         and is finalized. Governance and the active guardian may void any epoch
         not yet settled.
    @param epoch The epoch (the current one).
    """
    header: uint256 = self._header[epoch]
    status: uint256 = header & _STATUS_MASK
    assert epoch != 0 and epoch == self.current_epoch, "settlement: not the current epoch"
    assert status != convert(FINAL, uint256) and status != convert(VOID, uint256), "settlement: epoch already settled"
    resolve_by: uint256 = (header >> _RESOLVE_SHIFT) & _MASK_40
    past_resolution: bool = status == convert(CHALLENGED, uint256) and block.timestamp >= resolve_by
    if not self._is_resolver(msg.sender):
        if past_resolution:
            assert (header >> _PENDING_SHIFT) & _MASK_16 != 0, "settlement: only late challenges unjudged, the report stands"
        else:
            expired: bool = False
            if status == convert(OPEN, uint256):
                if header & _LIVE == 0:
                    expired = block.timestamp >= (header >> _DEADLINE_SHIFT) & _MASK_40
                else:
                    # Live: no metamodel in time, rows short with no extension left, or no report in time.
                    expired = staticcall IOutcomeBoard(self.outcome_board).voidable(epoch)
            assert expired, "settlement: epoch not expired"
    had_report: bool = status == convert(COMMITTED, uint256) or status == convert(CHALLENGED, uint256)
    if had_report:
        self.bonds_owed[self._committer(epoch)] += self._policy[epoch] >> _BOND_SHIFT
        self._clear_report(epoch, VOID)
        if past_resolution:
            # Kept so that its unjudged challenges are told apart (forfeited, not refunded).
            self._header[epoch] = self._header[epoch] | resolve_by << _RESOLVE_SHIFT
    else:
        self._header[epoch] = header & ~_STATUS_MASK | convert(VOID, uint256)
    log EpochVoided(epoch=epoch, by=msg.sender)
    if had_report:
        extcall IShareToken(share_token).reserve_epoch_mint(epoch, 0)


@external
def reopen() -> uint256:
    """
    @notice Opens the next epoch with the recipe of the void current epoch (anyone),
            as long as no epoch has ever been final: before any share exists
            nobody can vote, so governance could never open it.
    @return uint256 The new epoch number.
    """
    current: uint256 = self.current_epoch
    header: uint256 = self._header[current]
    assert current != 0 and header & _STATUS_MASK == convert(VOID, uint256), "settlement: current epoch not void"
    assert self._first_final == 0, "settlement: governance opens epochs"
    live: uint256 = header & _LIVE
    # A live epoch reopens with its live terms, which the outcome board copies (`reopen_live`).
    assert live == 0 or msg.sender == self.outcome_board, "settlement: a live epoch reopens through the outcome board"
    return self._open(self._recipe_cid[current], self._params_hash[current], live)


@internal
def _clear_report(epoch: uint256, status: uint8):
    """
    @dev Drops the standing report (bond, committer, CID, roots, challenges) and sets `status`.
    """
    self._policy[epoch] = self._policy[epoch] & ~(_MASK_96 << _BOND_SHIFT)
    self._report[epoch] = 0
    self._report_digest[epoch] = empty(bytes32)
    self._inputs_hash[epoch] = empty(bytes32)
    self._mint_root[epoch] = empty(bytes32)
    self._slash_root[epoch] = empty(bytes32)
    keep: uint256 = self._header[epoch] & ~(
        _STATUS_MASK | _MASK_32 << _PENDING_SHIFT | _MASK_8 << _CODEC_SHIFT | _MASK_40 << _RESOLVE_SHIFT
    )
    self._header[epoch] = keep | convert(status, uint256)


@internal
@view
def _committer(epoch: uint256) -> address:
    return convert(convert(self._report[epoch] & _ADDRESS_MASK, uint160), address)


@internal
@view
def _status(epoch: uint256) -> uint8:
    return convert(self._header[epoch] & _STATUS_MASK, uint8)


@internal
@view
def _guardian_active() -> bool:
    if self.guardian == empty(address) or block.timestamp >= guardian_until:
        return False
    current: uint256 = self.current_epoch
    status: uint8 = self._status(current)
    first: uint256 = self._first_final
    if first == 0:
        if status != FINAL:
            return True
        first = current
    # Every epoch from the first final one to the current one is settled (an epoch opens only
    # after its predecessor is final or void), so this counts settled epochs, voids included.
    settled: uint256 = current - first
    if status == FINAL or status == VOID:
        settled += 1
    return settled <= GUARDIAN_EPOCHS


@internal
@view
def _is_resolver(account: address) -> bool:
    return account == ownable.owner or (account == self.guardian and self._guardian_active())


@external
def finalize(epoch: uint256):
    """
    @notice Makes an unchallenged report final after its window; returns the operator's bond.
            A report whose only unjudged challenges were filed after the window
            is final from its resolution deadline (they count as rejected).
    @dev The report's whole mint is allocated to the share token's pool at
         once: the shares count in the supply and earn dividends from now on,
         whoever claims when (`claim_shares` releases them with what they earned).
    @param epoch The epoch to finalize.
    """
    header: uint256 = self._header[epoch]
    if header & _STATUS_MASK == convert(CHALLENGED, uint256):
        assert block.timestamp >= (header >> _RESOLVE_SHIFT) & _MASK_40, "settlement: a challenge awaits its verdict"
        assert (header >> _PENDING_SHIFT) & _MASK_16 == 0, "settlement: a challenge went unjudged, void the epoch"
    else:
        assert header & _STATUS_MASK == convert(COMMITTED, uint256), "settlement: epoch not committed or challenged"
    committed_at: uint256 = (header >> _COMMITTED_SHIFT) & _MASK_40
    assert block.timestamp >= committed_at + self.challenge_window, "settlement: challenge window open"
    self._header[epoch] = header & ~_STATUS_MASK | convert(FINAL, uint256)
    self._finalized_at[epoch] = block.timestamp
    report: uint256 = self._report[epoch]
    policy: uint256 = self._policy[epoch]
    self.bonds_owed[convert(convert(report & _ADDRESS_MASK, uint160), address)] += policy >> _BOND_SHIFT
    self._policy[epoch] = policy & ~(_MASK_96 << _BOND_SHIFT)
    log EpochFinalized(epoch=epoch)
    extcall IShareToken(share_token).allocate(epoch, report >> 160)


@external
def claim_shares(epoch: uint256, account: address, amount: uint256, proof: DynArray[bytes32, 32]):
    """
    @notice Delivers `account`'s shares of a final epoch (anyone may submit; shares go to `account`).
    @dev The shares were allocated at finality; the token releases them from
         its pool with every dividend they earned since, so claiming late costs nothing.
    @param epoch The final epoch.
    @param account The leaf's account.
    @param amount The leaf's amount of shares.
    @param proof The Merkle proof of the (account, amount) leaf.
    """
    assert self._status(epoch) == FINAL, "settlement: epoch not final"
    leaf: bytes32 = keccak256(keccak256(abi_encode(account, amount)))
    assert not self.leaf_used[epoch][leaf], "settlement: shares already claimed"
    assert merkle_proof_verification._verify(proof, self._mint_root[epoch], leaf), "settlement: invalid proof"
    self.leaf_used[epoch][leaf] = True
    log SharesClaimed(epoch=epoch, account=account, amount=amount)
    # The token's pool holds exactly the committed total since finality and refuses to release
    # more ("share: release above the allocation"): no second counter of minted shares here.
    extcall IShareToken(share_token).release(epoch, account, amount)


@external
def execute_slash(epoch: uint256, contribution_id: uint256, amount: uint256, proof: DynArray[bytes32, 32]):
    """
    @notice Executes a slash of a final epoch's report (anyone may submit).
    @param epoch The final epoch.
    @param contribution_id The slashed contribution (registered in `epoch`).
    @param amount The wei to slash; with the contribution's earlier slashes at most
           the epoch's slash cap of its stake (a running total, whatever the leaves).
    @param proof The Merkle proof of the (contribution id, amount) leaf.
    """
    header: uint256 = self._header[epoch]
    assert header & _STATUS_MASK == convert(FINAL, uint256), "settlement: epoch not final"
    leaf: bytes32 = keccak256(keccak256(abi_encode(contribution_id, amount)))
    assert not self.leaf_used[epoch][leaf], "settlement: slash already executed"
    assert merkle_proof_verification._verify(proof, self._slash_root[epoch], leaf), "settlement: invalid proof"
    assert staticcall IRegistry(registry).contribution_epoch(contribution_id) == epoch, "settlement: contribution not of this epoch"
    stake: uint256 = staticcall IRegistry(registry).stake_of(contribution_id)
    total: uint256 = self.slashed_total[contribution_id] + amount
    assert total <= stake * ((header >> _CAP_SHIFT) & _MASK_16) // _BPS, "settlement: slash above the cap"
    self.slashed_total[contribution_id] = total
    self.leaf_used[epoch][leaf] = True
    slashed: uint256 = extcall IRegistry(registry).slash(contribution_id, amount)
    log SlashExecuted(epoch=epoch, contribution_id=contribution_id, amount=slashed)


@external
@nonreentrant
def withdraw():
    """
    @notice Pays the caller the bonds owed to it (returned or won).
    """
    amount: uint256 = self.bonds_owed[msg.sender]
    assert amount != 0, "settlement: nothing owed"
    self.bonds_owed[msg.sender] = 0
    log BondWithdrawn(account=msg.sender, amount=amount)
    raw_call(msg.sender, b"", value=amount)


@external
@view
def epochs(epoch: uint256) -> Epoch:
    """
    @notice The record of an epoch (all fields zero for an epoch never opened).
    @param epoch The epoch.
    @return Epoch Its record; the report's CID is (report_codec, report_digest).
    """
    header: uint256 = self._header[epoch]
    policy: uint256 = self._policy[epoch]
    report: uint256 = self._report[epoch]
    return Epoch(
        recipe_cid=self._recipe_cid[epoch],
        params_hash=self._params_hash[epoch],
        contributions_close=(header >> _CLOSE_SHIFT) & _MASK_40,
        status=convert(header & _STATUS_MASK, uint8),
        report_codec=convert((header >> _CODEC_SHIFT) & _MASK_8, uint8),
        report_digest=self._report_digest[epoch],
        inputs_hash=self._inputs_hash[epoch],
        mint_root=self._mint_root[epoch],
        total_mint=report >> 160,
        minted=staticcall IShareToken(share_token).released_shares(epoch),
        slash_root=self._slash_root[epoch],
        committed_at=(header >> _COMMITTED_SHIFT) & _MASK_40,
        operator_bond=policy >> _BOND_SHIFT,
        finalized_at=self._finalized_at[epoch],
        emission=policy & _MASK_128,
        data_pool_bps=(policy >> _POOL_SHIFT) & _MASK_16,
        slash_cap_bps=(header >> _CAP_SHIFT) & _MASK_16,
        committer=convert(convert(report & _ADDRESS_MASK, uint160), address),
        commit_deadline=(header >> _DEADLINE_SHIFT) & _MASK_40,
        round=(header >> _ROUND_SHIFT) & _MASK_24,
        pending_challenges=((header >> _PENDING_SHIFT) & _MASK_16) + ((header >> _LATE_SHIFT) & _MASK_16),
        resolve_by=(header >> _RESOLVE_SHIFT) & _MASK_40,
    )


@external
@view
def contributions_open() -> bool:
    """
    @notice Whether the current epoch accepts contributions now.
    @return bool True during the contribution period of an open epoch.
    """
    return self._contribution_epoch_now() != 0


@external
@view
def contribution_epoch_now() -> uint256:
    """
    @notice The epoch a contribution registered now belongs to.
    @return uint256 The current epoch during its contribution period, else 0.
    """
    return self._contribution_epoch_now()


@internal
@view
def _contribution_epoch_now() -> uint256:
    epoch: uint256 = self.current_epoch
    header: uint256 = self._header[epoch]
    if header & _STATUS_MASK == convert(OPEN, uint256) and block.timestamp < (header >> _CLOSE_SHIFT) & _MASK_40:
        return epoch
    return 0


@external
@view
def is_final(epoch: uint256) -> bool:
    """
    @notice Whether `epoch`'s report is final.
    @param epoch The epoch.
    @return bool True once finalized.
    """
    return self._status(epoch) == FINAL


@external
@view
def is_settled(epoch: uint256) -> bool:
    """
    @notice Whether `epoch` is settled (final or void): its stakes may then be withdrawn.
    @param epoch The epoch.
    @return bool True once final or void.
    """
    status: uint8 = self._status(epoch)
    return status == FINAL or status == VOID


@external
@view
def guardian_active() -> bool:
    """
    @notice Whether the bootstrap guardian may still act (resolve challenges, void
            an epoch; the Governor lets it cancel proposals). It ends for good at
            `guardian_until`, once `GUARDIAN_EPOCHS` epochs after the first final
            one are settled (final or void), or when governance removes it.
    @return bool True while a guardian is set and its term has not ended.
    """
    return self._guardian_active()


@external
@view
def finalized_at(epoch: uint256) -> uint256:
    """
    @notice When `epoch` was finalized (0 if not yet).
    @param epoch The epoch.
    @return uint256 The timestamp.
    """
    return self._finalized_at[epoch]


@external
def set_operator(operator_: address):
    """
    @notice Replaces the operator (Timelock only).
    @param operator_ The new operator.
    """
    ownable._check_owner()
    assert operator_ != empty(address), "settlement: zero operator"
    self.operator = operator_
    log OperatorChanged(operator=operator_)


@external
def set_outcome_board(outcome_board_: address):
    """
    @notice Names the outcome board that opens and rules live-scored epochs (Timelock only),
            refused while the current epoch is live and not settled.
    @dev The settlement asks the board it names now about a live epoch's report and void; a
         new board does not know an epoch the old one opened, which would be left unreportable
         and not voidable by anyone. Governance can always void the epoch first (it may void
         any unsettled epoch), in the same proposal, so the refusal never locks the board in.
    @param outcome_board_ The OutcomeBoard (zero: no new live epochs).
    """
    ownable._check_owner()
    current: uint256 = self.current_epoch
    header: uint256 = self._header[current]
    status: uint256 = header & _STATUS_MASK
    settled: bool = status == convert(FINAL, uint256) or status == convert(VOID, uint256)
    assert header & _LIVE == 0 or settled, "settlement: a live epoch is open (void or settle it first)"
    self.outcome_board = outcome_board_
    log OutcomeBoardChanged(outcome_board=outcome_board_)


@external
@view
def is_live(epoch: uint256) -> bool:
    """
    @notice Whether `epoch` is scored live (its deadlines follow the outcome board).
    @param epoch The epoch.
    @return bool True for a live epoch.
    """
    return self._header[epoch] & _LIVE != 0


@external
def remove_guardian():
    """
    @notice Removes the guardian for good (governance, or the guardian itself).
    """
    assert msg.sender == ownable.owner or msg.sender == self.guardian, "settlement: caller is not governance or the guardian"
    assert self.guardian != empty(address), "settlement: no guardian"
    log GuardianRemoved(guardian=self.guardian, by=msg.sender)
    self.guardian = empty(address)


@external
def set_deadlines(commit_period_: uint256, resolution_period_: uint256):
    """
    @notice Sets the commit period (after contributions close) and the resolution
            period (after the challenge window) for epochs opened or challenged
            from now on (Timelock only). Both are positive.
    @param commit_period_ Seconds.
    @param resolution_period_ Seconds.
    """
    ownable._check_owner()
    assert commit_period_ != 0 and resolution_period_ != 0, "settlement: zero deadline period"
    assert commit_period_ <= _MAX_PERIOD and resolution_period_ <= _MAX_PERIOD, "settlement: period above 2**32 seconds"
    self.commit_period = commit_period_
    self.resolution_period = resolution_period_
    log DeadlinesChanged(commit_period=commit_period_, resolution_period=resolution_period_)


@external
def set_windows(contribution_period_: uint256, challenge_window_: uint256):
    """
    @notice Sets the contribution period and the challenge window (Timelock only).
    @param contribution_period_ Seconds.
    @param challenge_window_ Seconds.
    """
    ownable._check_owner()
    assert contribution_period_ <= _MAX_PERIOD and challenge_window_ <= _MAX_PERIOD, "settlement: period above 2**32 seconds"
    self.contribution_period = contribution_period_
    self.challenge_window = challenge_window_
    log WindowsChanged(contribution_period=contribution_period_, challenge_window=challenge_window_)


@external
def set_bonds(operator_bond_: uint256, challenge_bond_: uint256):
    """
    @notice Sets the operator's and challengers' bonds (Timelock only).
    @param operator_bond_ Wei.
    @param challenge_bond_ Wei.
    """
    ownable._check_owner()
    assert operator_bond_ <= _MASK_96, "settlement: operator bond above 2**96 wei"
    self.operator_bond = operator_bond_
    self.challenge_bond = challenge_bond_
    log BondsChanged(operator_bond=operator_bond_, challenge_bond=challenge_bond_)


@external
def set_policy(emission_: uint256, data_pool_bps_: uint256, slash_cap_bps_: uint256):
    """
    @notice Sets the economic policy applied to epochs opened from now on (Timelock only).
    @param emission_ Shares (wei) an epoch mints at most.
    @param data_pool_bps_ The data providers' part of the emission.
    @param slash_cap_bps_ At most this part of a stake is slashed per epoch.
    """
    ownable._check_owner()
    assert data_pool_bps_ <= _BPS and slash_cap_bps_ <= _BPS, "settlement: basis points above 10000"
    assert emission_ < 2**96, "settlement: emission above 2**96"
    self.emission = emission_
    self.data_pool_bps = data_pool_bps_
    self.slash_cap_bps = slash_cap_bps_
    log PolicyChanged(emission=emission_, data_pool_bps=data_pool_bps_, slash_cap_bps=slash_cap_bps_)
