# pragma version 0.4.3
"""
@title Outcome Board
@custom:contract-name OutcomeBoard
@license GNU Affero General Public License v3.0 only
@notice The live-scoring state of an epoch (docs/live_scoring.md). Governance
        (the Timelock) opens a live epoch through this board, atomically with
        its terms: the outcome reporter, the resolution period in blocks, the
        minimum number of resolved rows and the number of extensions, so
        contributors know the mode before they contribute. After contributions
        close the operator commits the metamodel (its CID and inputs hash) once;
        during the resolution period `(metamodel_block, resolution_end]` only
        the reporter posts outcome rows (a CID and a row count), with a bond
        posted once per epoch; anyone may challenge a post with a bond, and
        governance or the active guardian judges it (upheld: the post no longer
        counts; the reporter's bond goes to the challenger on a governance
        verdict, to the share holders on the guardian's). After the period
        the settlement accepts the epoch's report only with enough counted rows
        and within `report_blocks` blocks; a period short of rows is extended
        (anyone, up to `max_extensions` times), then the epoch is voidable by
        anyone, never stuck: every live epoch without a report is voidable by
        `metamodel_deadline` (no metamodel) or after block `metamodel_block +
        (1 + max_extensions) * (resolution_blocks + report_blocks)` (each
        extension comes at most `report_blocks` after the end it extends; see
        docs/live_scoring.md).
@dev The settlement consults this board only for live epochs (`IOutcomeBoard`:
     `check_report` at commit, `voidable` at a permissionless void). Bonds are
     paid by pull (`withdraw`); the reporter's bond comes back once the epoch
     is settled and no post challenge can still get a verdict: a post
     challenge is judged before its `resolve_by` (challenge time + the
     settlement's `resolution_period`), even after its epoch settled, so a
     disputed reporter cannot escape by the epoch settling first
     (`release_reporter_bond`). Every bond that came in is returned,
     paid out to a challenger or distributed to share holders, or still held.
"""

from snekmate.auth import ownable

initializes: ownable

exports: (ownable.owner, ownable.transfer_ownership, ownable.renounce_ownership)


interface ISettlement:
    def operator() -> address: view
    def guardian() -> address: view
    def guardian_active() -> bool: view
    def is_settled(epoch: uint256) -> bool: view
    def current_epoch() -> uint256: view
    def share_token() -> address: view
    def contribution_period() -> uint256: view
    def commit_period() -> uint256: view
    def challenge_bond() -> uint256: view
    def resolution_period() -> uint256: view
    def open_live(recipe_cid: String[64], params_hash: bytes32) -> uint256: nonpayable
    def reopen() -> uint256: nonpayable


interface IShareToken:
    def distribute_eth(): payable


# The live-scoring terms and state of an epoch (all zero for a static epoch).
struct LiveEpoch:
    reporter: address  # the only account that posts outcome rows
    reporter_bond: uint256  # wei the reporter posts with its first post of the epoch
    bond_held: uint256  # the reporter's bond held now (0 before its first post or after a loss)
    resolution_blocks: uint256
    min_resolved_rows: uint256
    max_extensions: uint256
    extensions_used: uint256
    report_blocks: uint256  # blocks after resolution_end in which the report must be committed
    contributions_close: uint256  # timestamp, as in the settlement
    metamodel_deadline: uint256  # timestamp: no metamodel commitment by then and anyone may void
    metamodel_codec: uint8  # 0: CIDv0 (dag-pb); 0x55 raw or 0x70 dag-pb: a base32 CIDv1
    metamodel_digest: bytes32  # the sha2-256 digest of the metamodel's CID (zero: none yet)
    inputs_hash: bytes32  # the keccak256 of the metamodel's canonical inputs
    metamodel_block: uint256  # the block of the commitment (0: none yet)
    resolution_end: uint256  # the last block a post is accepted in
    resolved_rows: uint256  # rows of the posts no upheld challenge excluded
    post_count: uint256


struct Post:
    epoch: uint256
    rows_codec: uint8
    rows_digest: bytes32
    n_rows: uint256
    block: uint256
    poster: address
    excluded: bool  # an upheld challenge excluded it: its rows do not count


struct PostChallenge:
    post_id: uint256
    challenger: address
    bond: uint256
    status: uint8
    resolve_by: uint256  # timestamp: the verdict may be given before it, even after the epoch settles


event LiveEpochOpened:
    epoch: indexed(uint256)
    reporter: indexed(address)
    reporter_bond: uint256
    resolution_blocks: uint256
    min_resolved_rows: uint256
    max_extensions: uint256
    report_blocks: uint256


event MetamodelCommitted:
    epoch: indexed(uint256)
    model_codec: uint8
    model_digest: bytes32
    inputs_hash: bytes32
    block: uint256
    resolution_end: uint256


event OutcomesPosted:
    epoch: indexed(uint256)
    post_id: indexed(uint256)
    rows_codec: uint8
    rows_digest: bytes32
    n_rows: uint256
    block: uint256
    bond: uint256  # wei of the reporter's bond posted with this post (0 when already held)


event ResolutionExtended:
    epoch: indexed(uint256)
    new_end: uint256
    extensions_used: uint256


event PostChallenged:
    epoch: indexed(uint256)
    post_id: indexed(uint256)
    challenge_id: uint256
    challenger: address
    reason_cid: String[64]
    resolve_by: uint256


event PostChallengeResolved:
    challenge_id: indexed(uint256)
    post_id: indexed(uint256)
    upheld: bool
    reporter_bond_lost: uint256


event PostChallengeRefunded:
    challenge_id: indexed(uint256)
    challenger: indexed(address)
    amount: uint256


event ReporterBondReleased:
    epoch: indexed(uint256)
    reporter: indexed(address)
    amount: uint256


event BondWithdrawn:
    account: indexed(address)
    amount: uint256


event TermsChanged:
    reporter_bond: uint256
    report_blocks: uint256


# Challenge status (as in the settlement).
PENDING: public(constant(uint8)) = 1
UPHELD: public(constant(uint8)) = 2
REJECTED: public(constant(uint8)) = 3
REFUNDED: public(constant(uint8)) = 4  # its post was excluded, or no verdict came by its resolve_by

_CID_V0: constant(uint8) = 0
_CID_RAW: constant(uint8) = 85
_CID_DAG_PB: constant(uint8) = 112
_MAX_BLOCKS: constant(uint256) = 2**32
_MAX_EXTENSIONS: constant(uint256) = 16

settlement: public(immutable(address))
share_token: public(immutable(address))
# Terms copied into each live epoch when it opens, so a change never affects an open epoch.
reporter_bond: public(uint256)
report_blocks: public(uint256)
live_epochs: public(HashMap[uint256, LiveEpoch])
posts: public(HashMap[uint256, Post])
post_of: public(HashMap[uint256, HashMap[uint256, uint256]])  # epoch -> index -> post id
post_total: public(uint256)
post_challenges: public(HashMap[uint256, PostChallenge])
challenge_total: public(uint256)
bonds_owed: public(HashMap[address, uint256])
# Per epoch: post challenges still pending, and the latest `resolve_by` among its challenges. The
# reporter's bond is released only when no verdict can still come (none pending, or all past it).
pending_post_challenges: public(HashMap[uint256, uint256])
verdicts_due: public(HashMap[uint256, uint256])


@deploy
def __init__(settlement_: address, reporter_bond_: uint256, report_blocks_: uint256):
    """
    @dev The deployer owns the board until it hands it to the Timelock; the
         settlement must name this board (`set_outcome_board`) for live epochs.
    @param settlement_ The EpochSettlement this board serves.
    @param reporter_bond_ The reporter's bond per live epoch, in wei.
    @param report_blocks_ Blocks after the resolution period in which a live
           epoch's report must be committed.
    """
    ownable.__init__()
    assert settlement_ != empty(address), "outcomes: zero settlement"
    assert report_blocks_ != 0 and report_blocks_ <= _MAX_BLOCKS, "outcomes: report blocks not in [1, 2**32]"
    settlement = settlement_
    share_token = staticcall ISettlement(settlement_).share_token()
    self.reporter_bond = reporter_bond_
    self.report_blocks = report_blocks_


@external
def open_live_epoch(
    recipe_cid: String[64],
    params_hash: bytes32,
    reporter: address,
    resolution_blocks: uint256,
    min_resolved_rows: uint256,
    max_extensions: uint256,
) -> uint256:
    """
    @notice Opens the next epoch as a live-scored epoch with its terms (Timelock
            only: a retrain proposal), atomically, so the mode is known before
            anyone contributes.
    @param recipe_cid The IPFS CID of the recipe document (it names the same terms).
    @param params_hash The keccak256 of the recipe's bytes.
    @param reporter The outcome reporter: the only account that posts outcome rows.
    @param resolution_blocks Blocks after the metamodel commitment in which rows are posted.
    @param min_resolved_rows Rows the report needs (counted over posts not excluded).
    @param max_extensions How many times a period short of rows may be extended.
    @return uint256 The new epoch number.
    """
    ownable._check_owner()
    assert reporter != empty(address), "outcomes: zero reporter"
    assert resolution_blocks != 0 and resolution_blocks <= _MAX_BLOCKS, "outcomes: resolution blocks not in [1, 2**32]"
    assert min_resolved_rows != 0, "outcomes: zero minimum rows"
    assert max_extensions <= _MAX_EXTENSIONS, "outcomes: more than 16 extensions"
    epoch: uint256 = extcall ISettlement(settlement).open_live(recipe_cid, params_hash)
    self._start(epoch, reporter, self.reporter_bond, resolution_blocks, min_resolved_rows, max_extensions, self.report_blocks)
    return epoch


@external
def reopen_live() -> uint256:
    """
    @notice Opens the next epoch with the recipe and live terms of the void
            current live epoch (anyone), as the settlement's `reopen` does for a
            static epoch: before any epoch is final nobody can vote.
    @return uint256 The new epoch number.
    """
    old: LiveEpoch = self.live_epochs[staticcall ISettlement(settlement).current_epoch()]
    assert old.reporter != empty(address), "outcomes: current epoch not live"
    epoch: uint256 = extcall ISettlement(settlement).reopen()
    self._start(epoch, old.reporter, old.reporter_bond, old.resolution_blocks, old.min_resolved_rows, old.max_extensions, old.report_blocks)
    return epoch


@internal
def _start(
    epoch: uint256,
    reporter: address,
    bond: uint256,
    resolution_blocks: uint256,
    min_resolved_rows: uint256,
    max_extensions: uint256,
    report_blocks: uint256,
):
    # The settlement opened the epoch in this transaction: the same clock gives the same deadlines.
    close: uint256 = block.timestamp + staticcall ISettlement(settlement).contribution_period()
    self.live_epochs[epoch] = LiveEpoch(
        reporter=reporter,
        reporter_bond=bond,
        bond_held=0,
        resolution_blocks=resolution_blocks,
        min_resolved_rows=min_resolved_rows,
        max_extensions=max_extensions,
        extensions_used=0,
        report_blocks=report_blocks,
        contributions_close=close,
        metamodel_deadline=close + staticcall ISettlement(settlement).commit_period(),
        metamodel_codec=0,
        metamodel_digest=empty(bytes32),
        inputs_hash=empty(bytes32),
        metamodel_block=0,
        resolution_end=0,
        resolved_rows=0,
        post_count=0,
    )
    log LiveEpochOpened(
        epoch=epoch,
        reporter=reporter,
        reporter_bond=bond,
        resolution_blocks=resolution_blocks,
        min_resolved_rows=min_resolved_rows,
        max_extensions=max_extensions,
        report_blocks=report_blocks,
    )


@external
def commit_metamodel(epoch: uint256, model_codec: uint8, model_digest: bytes32, inputs_hash: bytes32):
    """
    @notice Commits the live epoch's metamodel (operator only, once): after
            contributions close, before any scoring row exists. The resolution
            period starts in the next block and ends `resolution_blocks` later.
    @param epoch The live epoch.
    @param model_codec The codec of the metamodel's CID (0: CIDv0).
    @param model_digest The sha2-256 digest in the metamodel's CID.
    @param inputs_hash The keccak256 of the metamodel's canonical inputs.
    """
    live: LiveEpoch = self._live(epoch)
    assert msg.sender == staticcall ISettlement(settlement).operator(), "outcomes: caller is not the operator"
    # Once: a re-commit would let the operator pick a model after seeing outcomes.
    assert live.metamodel_block == 0, "outcomes: metamodel already committed"
    assert not staticcall ISettlement(settlement).is_settled(epoch), "outcomes: epoch settled"
    assert block.timestamp >= live.contributions_close, "outcomes: contributions still open"
    assert block.timestamp < live.metamodel_deadline, "outcomes: metamodel deadline passed"
    self._check_cid(model_codec, model_digest)
    end: uint256 = block.number + live.resolution_blocks
    self.live_epochs[epoch].metamodel_codec = model_codec
    self.live_epochs[epoch].metamodel_digest = model_digest
    self.live_epochs[epoch].inputs_hash = inputs_hash
    self.live_epochs[epoch].metamodel_block = block.number
    self.live_epochs[epoch].resolution_end = end
    log MetamodelCommitted(
        epoch=epoch,
        model_codec=model_codec,
        model_digest=model_digest,
        inputs_hash=inputs_hash,
        block=block.number,
        resolution_end=end,
    )


@external
@payable
def post_outcomes(epoch: uint256, rows_codec: uint8, rows_digest: bytes32, n_rows: uint256) -> uint256:
    """
    @notice Posts outcome rows (features and realised targets, stored off-chain
            at the CID) of a live epoch: the reporter only, in
            `(metamodel_block, resolution_end]`. The first post of the epoch (and
            the first after a lost bond) carries the reporter's bond.
    @param epoch The live epoch.
    @param rows_codec The codec of the rows file's CID (0: CIDv0).
    @param rows_digest The sha2-256 digest in the rows file's CID.
    @param n_rows The number of rows in the file.
    @return uint256 The post id (challenges name it).
    """
    live: LiveEpoch = self._live(epoch)
    assert msg.sender == live.reporter, "outcomes: caller is not the reporter"
    assert live.metamodel_block != 0, "outcomes: no metamodel commitment"
    assert block.number > live.metamodel_block, "outcomes: rows must follow the metamodel commitment"
    assert block.number <= live.resolution_end, "outcomes: resolution period over"
    assert not staticcall ISettlement(settlement).is_settled(epoch), "outcomes: epoch settled"
    assert n_rows != 0, "outcomes: zero rows"
    self._check_cid(rows_codec, rows_digest)
    bond: uint256 = 0
    if live.bond_held == 0:
        bond = live.reporter_bond
    assert msg.value == bond, "outcomes: wrong reporter bond"
    post_id: uint256 = self.post_total + 1
    self.post_total = post_id
    self.posts[post_id] = Post(
        epoch=epoch,
        rows_codec=rows_codec,
        rows_digest=rows_digest,
        n_rows=n_rows,
        block=block.number,
        poster=msg.sender,
        excluded=False,
    )
    self.post_of[epoch][live.post_count] = post_id
    self.live_epochs[epoch].post_count = live.post_count + 1
    self.live_epochs[epoch].resolved_rows = live.resolved_rows + n_rows
    if bond != 0:
        self.live_epochs[epoch].bond_held = bond
    log OutcomesPosted(
        epoch=epoch,
        post_id=post_id,
        rows_codec=rows_codec,
        rows_digest=rows_digest,
        n_rows=n_rows,
        block=block.number,
        bond=bond,
    )
    return post_id


@external
def extend_resolution(epoch: uint256):
    """
    @notice Extends a live epoch's resolution period that ended short of rows
            (anyone), while extensions are left and the report deadline has not
            passed. The extended period is the `resolution_blocks` blocks from
            the extension's own block on: the new end is `max(resolution_end,
            block.number - 1) + resolution_blocks` (rows already posted keep
            counting). Extended right after the end, the period runs on without
            a gap (`resolution_end + resolution_blocks`); extended later, the
            reporter still gets the whole `resolution_blocks` to post.
    @param epoch The live epoch.
    """
    live: LiveEpoch = self._live(epoch)
    assert live.metamodel_block != 0, "outcomes: no metamodel commitment"
    assert not staticcall ISettlement(settlement).is_settled(epoch), "outcomes: epoch settled"
    assert block.number > live.resolution_end, "outcomes: resolution period not over"
    assert block.number <= live.resolution_end + live.report_blocks, "outcomes: report deadline passed"
    assert live.resolved_rows < live.min_resolved_rows, "outcomes: enough rows resolved"
    assert live.extensions_used < live.max_extensions, "outcomes: no extension left"
    # As valuation.live.resolve_period: counted from the extension, not from the old end, so that
    # an extension granted late (up to `report_blocks` after the end) is not over before it starts.
    # block.number > resolution_end here, so the max is block.number - 1.
    end: uint256 = max(live.resolution_end, block.number - 1) + live.resolution_blocks
    self.live_epochs[epoch].resolution_end = end
    self.live_epochs[epoch].extensions_used = live.extensions_used + 1
    log ResolutionExtended(epoch=epoch, new_end=end, extensions_used=live.extensions_used + 1)


@external
@payable
def challenge_post(post_id: uint256, reason_cid: String[64]) -> uint256:
    """
    @notice Disputes an outcome post with the settlement's challenge bond, until
            its epoch is settled. Governance or the active guardian judges it
            before `resolve_by` (now + the settlement's `resolution_period`),
            even after the epoch settles: the reporter's bond waits for it.
    @param post_id The post.
    @param reason_cid The IPFS CID of the challenger's evidence.
    @return uint256 The challenge id.
    """
    post: Post = self.posts[post_id]
    assert post.epoch != 0, "outcomes: no such post"
    assert not post.excluded, "outcomes: post already excluded"
    assert not staticcall ISettlement(settlement).is_settled(post.epoch), "outcomes: epoch settled"
    assert msg.value == staticcall ISettlement(settlement).challenge_bond(), "outcomes: wrong challenge bond"
    resolve_by: uint256 = block.timestamp + staticcall ISettlement(settlement).resolution_period()
    challenge_id: uint256 = self.challenge_total + 1
    self.challenge_total = challenge_id
    self.post_challenges[challenge_id] = PostChallenge(
        post_id=post_id, challenger=msg.sender, bond=msg.value, status=PENDING, resolve_by=resolve_by
    )
    self.pending_post_challenges[post.epoch] += 1
    self.verdicts_due[post.epoch] = max(self.verdicts_due[post.epoch], resolve_by)
    log PostChallenged(
        epoch=post.epoch,
        post_id=post_id,
        challenge_id=challenge_id,
        challenger=msg.sender,
        reason_cid=reason_cid,
        resolve_by=resolve_by,
    )
    return challenge_id


@external
@nonreentrant
def resolve_post_challenge(challenge_id: uint256, uphold: bool):
    """
    @notice The verdict on a post challenge, by governance (the Timelock) or the
            active guardian, while the post counts and before the challenge's
            `resolve_by`, whether or not its epoch is settled: a settled
            epoch's report stands (its rows were counted), but the verdict
            still decides the reporter's bond, which waits for it.
    @dev Uphold: the post is excluded (its rows no longer count), the
         challenger's own bond returns to it, other challenges of the post
         become refundable; the reporter's held bond goes to the challenger
         when governance upholds (the verdict names who earns it) and to the
         share holders when the guardian does, so the guardian cannot pay
         itself by upholding its own challenge (as the settlement's
         `resolve_challenge`). Reject: the challenger's bond goes to the
         share holders.
    @param challenge_id The challenge judged.
    @param uphold True when the challenger was right.
    """
    assert self._is_resolver(msg.sender), "outcomes: caller is not governance or the guardian"
    c: PostChallenge = self.post_challenges[challenge_id]
    assert c.status == PENDING, "outcomes: challenge not pending"
    post: Post = self.posts[c.post_id]
    assert not post.excluded, "outcomes: post already excluded"
    assert block.timestamp < c.resolve_by, "outcomes: verdict deadline passed"
    self.pending_post_challenges[post.epoch] -= 1
    lost: uint256 = 0
    to_holders: uint256 = 0
    if uphold:
        self.post_challenges[challenge_id].status = UPHELD
        self.posts[c.post_id].excluded = True
        lost = self.live_epochs[post.epoch].bond_held
        self.live_epochs[post.epoch].bond_held = 0
        self.live_epochs[post.epoch].resolved_rows -= post.n_rows
        if msg.sender == ownable.owner:
            self.bonds_owed[c.challenger] += c.bond + lost
        else:
            # The guardian's verdict earns nobody the reporter's bond: it may have challenged itself.
            self.bonds_owed[c.challenger] += c.bond
            to_holders = lost
    else:
        self.post_challenges[challenge_id].status = REJECTED
        to_holders = c.bond
    log PostChallengeResolved(challenge_id=challenge_id, post_id=c.post_id, upheld=uphold, reporter_bond_lost=lost)
    if to_holders != 0:
        extcall IShareToken(share_token).distribute_eth(value=to_holders)


@external
def refund_post_challenge(challenge_id: uint256):
    """
    @notice Returns the bond of a post challenge that can get no verdict: its
            post was excluded by another challenge, or its `resolve_by` passed
            without a verdict (anyone may call; the bond goes to the challenger).
    @param challenge_id The challenge.
    """
    c: PostChallenge = self.post_challenges[challenge_id]
    assert c.status == PENDING, "outcomes: challenge not pending"
    post: Post = self.posts[c.post_id]
    no_verdict: bool = post.excluded or block.timestamp >= c.resolve_by
    assert no_verdict, "outcomes: challenge awaits its verdict"
    self.post_challenges[challenge_id].status = REFUNDED
    self.pending_post_challenges[post.epoch] -= 1
    self.bonds_owed[c.challenger] += c.bond
    log PostChallengeRefunded(challenge_id=challenge_id, challenger=c.challenger, amount=c.bond)


@external
def release_reporter_bond(epoch: uint256):
    """
    @notice Returns the reporter's held bond once its epoch is settled (final or
            void) and no post challenge of the epoch can still get a verdict:
            none pending (refund those of an excluded post first), or every one
            past its `resolve_by` (anyone).
    @param epoch The live epoch.
    """
    live: LiveEpoch = self._live(epoch)
    assert staticcall ISettlement(settlement).is_settled(epoch), "outcomes: epoch not settled"
    assert live.bond_held != 0, "outcomes: no reporter bond held"
    disputed: bool = self.pending_post_challenges[epoch] != 0 and block.timestamp < self.verdicts_due[epoch]
    assert not disputed, "outcomes: a post challenge awaits its verdict"
    self.live_epochs[epoch].bond_held = 0
    self.bonds_owed[live.reporter] += live.bond_held
    log ReporterBondReleased(epoch=epoch, reporter=live.reporter, amount=live.bond_held)


@external
@nonreentrant
def withdraw():
    """
    @notice Pays the caller the bonds owed to it (returned or won).
    """
    amount: uint256 = self.bonds_owed[msg.sender]
    assert amount != 0, "outcomes: nothing owed"
    self.bonds_owed[msg.sender] = 0
    log BondWithdrawn(account=msg.sender, amount=amount)
    raw_call(msg.sender, b"", value=amount)


@external
def set_terms(reporter_bond_: uint256, report_blocks_: uint256):
    """
    @notice Sets the reporter's bond and the report window for live epochs opened from now on (Timelock only).
    @param reporter_bond_ Wei.
    @param report_blocks_ Blocks after the resolution period, in [1, 2**32].
    """
    ownable._check_owner()
    assert report_blocks_ != 0 and report_blocks_ <= _MAX_BLOCKS, "outcomes: report blocks not in [1, 2**32]"
    self.reporter_bond = reporter_bond_
    self.report_blocks = report_blocks_
    log TermsChanged(reporter_bond=reporter_bond_, report_blocks=report_blocks_)


@external
@view
def check_report(epoch: uint256) -> bool:
    """
    @notice Reverts with the reason when a report of live `epoch` may not be
            committed now: it needs the metamodel commitment, the resolution
            period over, enough counted rows and the report deadline ahead.
    @param epoch The live epoch.
    @return bool True (it reverts otherwise).
    """
    live: LiveEpoch = self._live(epoch)
    assert live.metamodel_block != 0, "outcomes: no metamodel commitment"
    assert block.number > live.resolution_end, "outcomes: resolution period not over"
    assert live.resolved_rows >= live.min_resolved_rows, "outcomes: too few resolved rows"
    assert block.number <= live.resolution_end + live.report_blocks, "outcomes: report deadline passed"
    return True


@external
@view
def voidable(epoch: uint256) -> bool:
    """
    @notice Whether anyone may void live `epoch` (one without a standing report):
            no metamodel by its deadline; or the (extended) period ended short of
            rows with no extension left; or no report by the report deadline.
    @param epoch The epoch.
    @return bool True when the live-scoring rules say the epoch cannot settle with a report.
    """
    live: LiveEpoch = self.live_epochs[epoch]
    if live.reporter == empty(address):
        return False
    if live.metamodel_block == 0:
        return block.timestamp >= live.metamodel_deadline
    if block.number <= live.resolution_end:
        return False
    if block.number > live.resolution_end + live.report_blocks:
        return True
    return live.resolved_rows < live.min_resolved_rows and live.extensions_used >= live.max_extensions


@external
@view
def is_live(epoch: uint256) -> bool:
    """
    @notice Whether `epoch` is scored live (opened through this board).
    @param epoch The epoch.
    @return bool True for a live epoch, False for a static one.
    """
    return self.live_epochs[epoch].reporter != empty(address)


@internal
@view
def _live(epoch: uint256) -> LiveEpoch:
    live: LiveEpoch = self.live_epochs[epoch]
    assert live.reporter != empty(address), "outcomes: epoch not live"
    return live


@internal
@pure
def _check_cid(codec: uint8, digest: bytes32):
    assert digest != empty(bytes32), "outcomes: empty CID"
    assert codec == _CID_V0 or codec == _CID_RAW or codec == _CID_DAG_PB, "outcomes: invalid CID (unknown codec)"


@internal
@view
def _is_resolver(account: address) -> bool:
    if account == ownable.owner:
        return True
    return account == staticcall ISettlement(settlement).guardian() and staticcall ISettlement(settlement).guardian_active()
