"""`dao verify N`: recompute an epoch's report from its inputs and check it, three ways.

Everything needed is public once the report is committed: the recipe (IPFS, hash on-chain), the
contributions (registry), their artifacts and the revealed hold-out set (IPFS), and the history
the rows' provenance is traced against (earlier epochs' revealed hold-outs and final accepted data,
gathered from the chain as the operator gathers it, never taken from the report). The checks:

- integrity: what the operator committed on-chain (inputs hash, Merkle roots, total mint) is what
  the report says, and the report's allocation, slashes, roots and proofs are exactly what its own
  published numbers give under the recipe's policy (integer arithmetic: no machine may differ);
- numbers: this machine's recomputed values, intervals and score agree with the published ones
  within the tolerance the report records; every other recomputed entry (names, groups, methods,
  rejections, the inputs' history and the `data_values.provenance` record of which rows were
  credited to whom) is equal. Beyond the tolerance is a difference worth a challenge;
- versions: the libraries and the estimator revision the report names are this machine's.

A report passes when integrity and numbers hold; differing versions are named beside the result
(and are the first suspect when numbers differ).

Sealed data sets: the numbers can only be recomputed by someone who can open every sealed data set,
i.e. the operator or an auditor the recipe names (contributors seal to each of them; `--key FILE`).
Without such a key the verification is partial: integrity, the report's inputs against the chain
and the recipe, the revealed hold-out set against its commitment, the intake of every public
artifact and the accounting of every contribution are checked; the sealed contributions are named
as unchecked, and the command exits with `EXIT_PARTIAL` rather than claiming a full match.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from eth_utils import keccak

from dao.chain.cids import cid_text
from dao.chain.cids import report_cid as report_cid_of
from dao.data.datasets import MAX_BYTES
from dao.data.sealing import (
    HEADER_MAX,
    SealingError,
    is_sealed,
    overhead,
    public_key_of,
    recipients,
    unseal,
)
from dao.epoch.history import gather_history
from dao.epoch.live import commitment_inputs_hash, prepare_commitment, value_named_live_inputs
from dao.epoch.store import metamodel_bytes
from dao.epoch.valuation import (
    KIND_DATA,
    Contribution,
    EpochError,
    check_artifacts,
    epoch_inputs,
    load_validation,
    read_contributions,
    read_recipe,
    value_epoch,
)
from dao.errors import DaoError
from dao.outcomes.chain import (
    LiveState,
    LogPosition,
    is_live_on_board,
    live_state,
    live_state_at,
    log_position,
)
from valuation.errors import InvalidInput
from valuation.merkle import mint_tree, slash_tree
from valuation.payout import PayoutPolicy, Player
from valuation.report import ValuationReport, library_versions

# Entries computed from the published numbers: checked by integrity, not compared as numbers.
_DERIVED = ("allocation", "slashes", "mint_root", "slash_root", "proofs")
# Floating-point entries: compared within the tolerance.
_NUMERIC_KEYS = ("value", "ci_low", "ci_high", "grand_value", "empty_value", "metamodel_score")


# `dao verify`'s exit statuses (2 is any refusal: a bad key file, a report that cannot be fetched).
EXIT_VERIFIED = 0  # integrity and numbers hold: the report is what its inputs give
EXIT_MISMATCH = 1  # a check failed: a difference worth a challenge
EXIT_PARTIAL = 3  # everything public holds, but sealed contributions could not be checked (no key)


class CannotVerify(DaoError):
    """The report or one of its inputs cannot be obtained, so nothing can be compared."""


Difference = tuple[str, object, object]  # path, committed, recomputed (or derived)


@dataclass
class Verification:
    epoch: int
    report_cid: str
    match: bool
    differences: list[Difference] = field(default_factory=list)  # integrity's, then numbers'
    version_warnings: list[str] = field(default_factory=list)
    integrity: list[Difference] = field(default_factory=list)
    numbers: list[Difference] = field(default_factory=list)
    tolerance: float = 0.0
    max_abs_difference: float = 0.0
    byte_identical: bool = False
    # (contribution id, why) for sealed data sets this verifier could not open: the numbers were
    # then not recomputed, only what is public was checked.
    unchecked: list[tuple[int, str]] = field(default_factory=list)
    # What changed on a live epoch's outcome board after the report was committed (a post excluded
    # by a later verdict, a later extension or post): no difference, the report is judged on the
    # board at its commit, but a challenger of the report should know (`board_notes`).
    board_notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether every contribution could be checked (the numbers were recomputed)."""
        return not self.unchecked

    @property
    def exit_code(self) -> int:
        if not self.match:
            return EXIT_MISMATCH
        return EXIT_VERIFIED if self.complete else EXIT_PARTIAL

    @property
    def failed_checks(self) -> list[str]:
        """Which checks failed, in order: "integrity", "numbers", "versions"."""
        return [
            name
            for name, failed in (
                ("integrity", bool(self.integrity)),
                ("numbers", bool(self.numbers)),
                ("versions", bool(self.version_warnings)),
            )
            if failed
        ]


def version_differences(recorded: dict) -> list[str]:
    """What differs between the versions a report recorded and this machine's (the estimator's
    revision included), one "name: report X vs here Y" per library."""
    return [
        f"{name}: report {recorded.get(name)} vs here {version}"
        for name, version in library_versions().items()
        if recorded.get(name) != version
    ]


def _flatten(obj, prefix: str = "") -> dict[str, object]:
    if isinstance(obj, dict):
        flat = {}
        for key, value in obj.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat or {prefix: {}}
    if isinstance(obj, list):
        flat = {}
        for index, value in enumerate(obj):
            flat.update(_flatten(value, f"{prefix}[{index}]"))
        return flat or {prefix: []}
    return {prefix: obj}


def diff_documents(committed: bytes, recomputed: bytes) -> list[tuple[str, object, object]]:
    """The leaves that differ between two JSON documents, as (path, committed, recomputed)."""
    ours, theirs = _flatten(json.loads(recomputed)), _flatten(json.loads(committed))
    return [
        (path, theirs.get(path, "<absent>"), ours.get(path, "<absent>"))
        for path in sorted(set(ours) | set(theirs))
        if ours.get(path, "<absent>") != theirs.get(path, "<absent>")
    ]


def _players(values: dict, contributions: dict[int, dict]) -> list[Player]:
    """The published values joined with the contributions they name ("#id")."""
    players = []
    for player in values.get("players", []):
        contribution = contributions[int(str(player["name"]).lstrip("#"))]
        players.append(
            Player(
                contribution["id"],
                contribution["contributor"],
                float(player["value"]),
                float(player["ci_low"]),
                float(player["ci_high"]),
                int(contribution["stake"]),
            )
        )
    return players


def derived_entries(report: ValuationReport, policy: PayoutPolicy) -> dict:
    """The allocation, slashes, roots and proofs that the report's published numbers give under
    `policy`: a pure integer function of the report, identical on every machine."""
    contributions = {int(c["id"]): c for c in report.inputs["contributions"]}
    allocation = policy.allocate(
        _players(report.data_values, contributions), _players(report.model_values, contributions)
    )
    mints = sorted(allocation.mints.items())
    slashes = sorted(allocation.slashes.items())
    mint, slash = mint_tree(mints), slash_tree(slashes)
    return {
        "allocation": {account: str(amount) for account, amount in mints},
        "slashes": {str(cid): str(amount) for cid, amount in slashes},
        "mint_root": "0x" + mint.root.hex(),
        "slash_root": "0x" + slash.root.hex(),
        "proofs": {account: ["0x" + p.hex() for p in mint.proof(i)] for i, (account, _) in enumerate(mints)},
    }


def integrity_differences(report: ValuationReport, policy: PayoutPolicy) -> list[Difference]:
    """Where the report's allocation, slashes, roots or proofs are not what its own published
    numbers give under `policy`."""
    try:
        derived = derived_entries(report, policy)
    except (KeyError, TypeError, ValueError) as exc:
        return [("report", "unreadable players or contributions", str(exc))]
    published = {name: getattr(report, name) for name in _DERIVED}
    return diff_documents(json.dumps(published).encode(), json.dumps(derived).encode())


def number_differences(
    committed: bytes, recomputed: bytes, tolerance: float
) -> tuple[list[Difference], float]:
    """Entries of two reports' bodies that differ: numbers by more than `tolerance`, anything else
    at all (derived entries excluded: integrity covers them). Also the largest numeric difference."""
    ours, theirs = _flatten(json.loads(recomputed)), _flatten(json.loads(committed))
    differences, largest = [], 0.0
    for path in sorted(set(ours) | set(theirs)):
        if path.split(".")[0].split("[")[0] in _DERIVED or path.startswith("inputs.versions."):
            continue  # integrity and versions check these
        a, b = theirs.get(path, "<absent>"), ours.get(path, "<absent>")
        leaf = path.rsplit(".", 1)[-1]
        if leaf in _NUMERIC_KEYS and isinstance(a, int | float) and isinstance(b, int | float):
            gap = abs(float(a) - float(b))
            # A NaN gap compares False with everything: a non-finite gap is a difference.
            finite = math.isfinite(gap)
            largest = max(largest, gap) if finite else math.inf
            if not finite or gap > tolerance:
                differences.append((path, a, b))
        elif a != b:
            differences.append((path, a, b))
    return differences, largest


def verify_report(
    committed: bytes, recomputed: bytes, policy: PayoutPolicy, tolerance: float | None = None
) -> Verification:
    """The integrity and numbers checks of a committed report against a recomputation (no chain:
    `bench.cross_machine` uses it between machines). `tolerance` defaults to the one the
    recomputation records (the verifier's recipe and engine), never the committed report's own: an
    operator cannot widen it, and a report recording another one differs in `precision.tolerance`."""
    ours = ValuationReport.from_json(recomputed)
    tolerance = ours.tolerance if tolerance is None else tolerance
    try:
        report = ValuationReport.from_json(committed)
    except InvalidInput as exc:  # e.g. a NaN bound: not a report anyone can verify
        refused = [("report", str(exc), "a valuation report")]
        return Verification(ours.epoch, "", False, refused, [], refused, [], tolerance, math.inf)
    integrity = integrity_differences(report, policy)
    numbers, largest = number_differences(committed, recomputed, tolerance)
    warnings = version_differences(report.inputs.get("versions", {}))
    return Verification(
        report.epoch,
        "",
        not integrity and not numbers,
        integrity + numbers,
        warnings,
        integrity,
        numbers,
        tolerance,
        largest,
        committed == recomputed,
    )


def _head(storage, cid: str) -> bytes | None:
    """The first bytes of an artifact (enough for a sealed header), or None when it cannot be read:
    the recomputation then judges it exactly as the operator's run did."""
    try:
        head = b""
        for chunk in storage.open(cid, max_bytes=MAX_BYTES + overhead(1)):
            head += chunk
            if len(head) >= HEADER_MAX:
                break
        return head
    except Exception:  # missing, oversized, not a file: the same rejection for everyone
        return None


def unopenable_sealed(
    storage, contributions: list[Contribution], key: bytes | None, operator: bytes | None = None
) -> list[tuple[int, str]]:
    """The sealed data sets that `key` (a recipient's private key, or None) cannot open, or cannot
    judge as the operator (public key `operator`, when the recipe publishes it) did, with why.

    Reads only headers (bounded), except for a v1 artifact, which names no recipient and is tried.
    A sealed artifact that is malformed or that lists this key and the operator is not returned: the
    recomputation opens or rejects it exactly as every other recipient must."""
    found = []
    own = public_key_of(key) if key is not None else None
    for contribution in contributions:
        if contribution.kind != KIND_DATA:
            continue
        head = _head(storage, contribution.cid)
        if head is None or not is_sealed(head):
            continue
        if key is None:
            found.append((contribution.id, "sealed data set, and no key was given (--key FILE)"))
            continue
        try:
            listed = recipients(head)
        except SealingError:
            continue  # malformed: every recipient rejects it alike
        if listed is None:  # v1: sealed to one key, not named
            try:
                unseal(b"".join(storage.open(contribution.cid, max_bytes=MAX_BYTES + overhead(1))), key)
            except SealingError:
                found.append(
                    (contribution.id, "sealed to a single recipient (the operator), not to this key")
                )
            except Exception:  # unreadable content is the recomputation's to judge
                pass
        elif own not in listed:
            found.append((contribution.id, f"sealed to {len(listed)} recipients, not to this key"))
        elif operator is not None and operator not in listed:
            # The operator's run could not open it (and rejected it); opening it here would value
            # rows the report never saw and make an honest report look wrong.
            found.append(
                (contribution.id, "sealed without the operator's key, so the report could not value it")
            )
    return found


def public_differences(
    storage,
    report: ValuationReport,
    recipe_cid: str,
    recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    sealed_ids: set[int],
) -> list[Difference]:
    """What can be checked without opening the sealed data sets `sealed_ids`: the report's inputs
    against the chain and the recipe, the revealed hold-out set against its commitment, the intake
    of every public artifact, and that every contribution is either valued in its game or rejected."""
    differences: list[Difference] = []
    expected = epoch_inputs(recipe_cid, recipe, contributions, report.inputs.get("validation_cid"))
    # A live epoch's commitment and posts are checked against the chain's outcome board, not here.
    published = {k: v for k, v in report.inputs.items() if k not in ("versions", "live")}
    expected = {k: v for k, v in expected.items() if k != "versions"}
    differences += [
        ("inputs." + path, committed, derived)
        for path, committed, derived in diff_documents(
            json.dumps(published, default=str).encode(), json.dumps(expected, default=str).encode()
        )
    ]
    revealed = "0x" + keccak(validation_csv).hex()
    if revealed != recipe.validation_commitment:
        differences.append(("inputs.validation_cid", revealed, recipe.validation_commitment))
    public = [c for c in contributions if c.id not in sealed_ids]
    _, _, rejected = check_artifacts(storage, recipe, public)
    for contribution in public:
        published_reason = report.rejected.get(str(contribution.id))
        if contribution.id in rejected:
            if published_reason != rejected[contribution.id]:
                differences.append(
                    (f"rejected.{contribution.id}", published_reason or "<absent>", rejected[contribution.id])
                )
        elif published_reason is not None and published_reason.startswith(
            ("artifact not ", f"contribution {contribution.id} is invalid: ")
        ):
            # An intake reason for an artifact that passes intake here; later-stage reasons (far
            # from the anchor, rare classes) depend on the pooled data and are the numbers' to check.
            differences.append((f"rejected.{contribution.id}", published_reason, "passes intake here"))
    valued = {
        "data": [p["name"] for p in report.data_values.get("players", [])],
        "model": [p["name"] for p in report.model_values.get("players", [])],
    }
    known = {f"#{c.id}" for c in contributions}
    for game, names in valued.items():
        for name in sorted(set(names) - known):
            differences.append((f"{game}_values.{name}", "valued", "not a contribution of this epoch"))
    for contribution in contributions:
        game = "data" if contribution.kind == KIND_DATA else "model"
        count = valued[game].count(f"#{contribution.id}") + (str(contribution.id) in report.rejected)
        if count != 1:
            differences.append(
                (
                    f"contributions.#{contribution.id}",
                    f"valued or rejected {count} times",
                    f"valued in the {game} game or rejected, once",
                )
            )
    return differences


def live_commitment_differences(report: ValuationReport) -> list[Difference]:
    """A live report's inputs against the metamodel commitment they name: the inputs hash the
    operator committed with the metamodel must be the hash of the report's inputs without their
    `live` part (the metamodel was trained on exactly the inputs the report values)."""
    commitment = (report.inputs.get("live") or {}).get("commitment") or {}
    stated = commitment.get("inputs_hash")
    if not stated:
        return []
    derived = commitment_inputs_hash(report.inputs)
    return [] if stated == derived else [("inputs.live.commitment.inputs_hash", stated, derived)]


def report_commit_position(dao, epoch: int, report_cid: str) -> LogPosition | None:
    """Where the chain logged the commit of `report_cid` for `epoch` (the last `EpochCommitted` of
    the epoch naming it: a report re-committed after an upheld challenge is judged on its latest
    commit), or None when no commit names it."""
    from ape import chain

    found = None
    for log in dao.settlement.EpochCommitted.range(
        dao.deployment.block, chain.blocks.height + 1, search_topics={"epoch": epoch}
    ):
        if cid_text(int(log.report_codec), bytes(log.report_digest)) == report_cid:
            found = log_position(log)
    return found


def board_differences(
    dao, epoch: int, report: ValuationReport, at: LogPosition | None = None
) -> list[Difference]:
    """A report's `inputs.live` against the outcome board: the metamodel commitment (block, CID,
    inputs hash), the period's end, the extensions used and every post that counts (cid, block,
    poster, n_rows, in posting order). A report that names posts the board does not hold, leaves
    out one it holds, or moves one to another block valued rows the chain did not fix.

    `at` (a `LogPosition`, normally the report's `EpochCommitted` log) judges the report against
    the board as it stood when the report was committed; None, against the board now (a report
    not yet committed). The board keeps changing after a commit (a post challenge may be upheld
    until the epoch is settled, a period then short of rows extended and posted to), and none of
    that touches the committed report: comparing with the board now would fail honest reports."""
    from dao.outcomes import chain as outcomes

    state = outcomes.live_state(dao, epoch) if at is None else outcomes.live_state_at(dao, epoch, at)
    live = report.inputs.get("live")
    if state is None:
        return [] if live is None else [("inputs.live", "live-scored", "a static epoch on the board")]
    if not isinstance(live, dict):
        return [("inputs.live", "<absent>", "the board's commitment and posts of a live epoch")]
    differences: list[Difference] = []
    commitment = live.get("commitment") or {}
    board = {
        "commitment.block": state.metamodel_block,
        "commitment.model_cid": state.metamodel_cid,
        "commitment.inputs_hash": state.inputs_hash,
        "period_end_block": state.resolution_end,
        "extensions_used": state.extensions_used,
    }
    stated = {
        "commitment.block": commitment.get("block"),
        "commitment.model_cid": commitment.get("model_cid"),
        "commitment.inputs_hash": commitment.get("inputs_hash"),
        "period_end_block": live.get("period_end_block"),
        "extensions_used": live.get("extensions_used"),
    }
    differences += [(f"inputs.live.{k}", stated[k], board[k]) for k in board if stated[k] != board[k]]
    on_board = [
        {"cid": post.cid, "block": post.block, "poster": post.poster.lower(), "n_rows": post.n_rows}
        for post in state.posts
        if not post.excluded  # the posts that count (`scoring_posts`), at `at`
    ]
    named = live.get("posts") if isinstance(live.get("posts"), list) else []
    for index in range(max(len(on_board), len(named))):
        mine = named[index] if index < len(named) else None
        theirs = on_board[index] if index < len(on_board) else None
        if isinstance(mine, dict) and isinstance(mine.get("poster"), str):
            mine = mine | {"poster": mine["poster"].lower()}
        if mine != theirs:
            differences.append(
                (
                    f"inputs.live.posts[{index}]",
                    json.dumps(mine, sort_keys=True) if mine is not None else "<absent>",
                    json.dumps(theirs, sort_keys=True) if theirs is not None else "<not on the board>",
                )
            )
    return differences


def board_notes(then: LiveState | None, now: LiveState | None) -> list[str]:
    """What changed on the outcome board between a report's commit (`then`, a `LiveState` from
    `live_state_at`) and `now`: posts the report could value that a later verdict excluded, posts
    and extensions after the commit. None of these is a difference (the report was judged on the
    board it was committed against); the first is what a challenge of the report would cite."""
    if then is None or now is None:
        return []
    notes = []
    excluded_now = {post.post_id for post in now.posts if post.excluded}
    for post in then.posts:
        if not post.excluded and post.post_id in excluded_now:
            notes.append(
                f"post {post.post_id} ({post.cid}, block {post.block}, {post.n_rows} rows) counted when "
                "the report was committed and was excluded after it by an upheld challenge: the report "
                "valued its rows; only a challenge of the report itself can change that"
            )
    known = {post.post_id for post in then.posts}
    for post in now.posts:
        if post.post_id not in known:
            notes.append(
                f"post {post.post_id} ({post.cid}, block {post.block}) came after the report's commit: "
                "it is not part of this report"
            )
    if now.extensions_used > then.extensions_used:
        notes.append(
            f"the resolution period was extended after the report's commit (period end block "
            f"{then.resolution_end} then, {now.resolution_end} now): the report keeps the period it "
            "was committed in"
        )
    return notes


def recompute_live_report(
    storage,
    report: ValuationReport,
    recipe_cid: str,
    recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    key: bytes | None = None,
    history=(),
) -> bytes:
    """A live epoch's report recomputed from the commitment and posts its inputs name (`dao verify`
    checks those against the chain's outcome board before trusting them)."""
    live = report.inputs.get("live")
    if not isinstance(live, dict):
        raise EpochError("the report of a live-scored epoch does not name its commitment and posts")
    result = value_named_live_inputs(
        storage,
        report.epoch,
        recipe_cid,
        recipe,
        contributions,
        validation_csv,
        live,
        operator_key=key,
        validation_cid=report.inputs.get("validation_cid"),
        history=history,
    )
    if result.valuation is None:
        raise EpochError(f"the posts the report names do not value the epoch: {result.outcome.reason}")
    return result.valuation.report.to_json()


def committed_metamodel_differences(
    storage,
    report: ValuationReport,
    recipe_cid: str,
    recipe,
    contributions: list[Contribution],
    validation_csv: bytes,
    key: bytes | None = None,
    history=(),
) -> list[Difference]:
    """A live epoch's committed metamodel file (it answered the period's paid predictions) against
    the one its inputs train, trained as the operator did at the commitment (`prepare_commitment`):
    see `dao.epoch.committed_model`."""
    from dao.epoch.committed_model import committed_model_differences

    commitment = (report.inputs.get("live") or {}).get("commitment") or {}
    prepared, _ = prepare_commitment(
        storage, recipe_cid, recipe, contributions, report.inputs.get("validation_cid"), key, history
    )
    X, _ = load_validation(validation_csv, recipe)
    committed = storage.get(commitment["model_cid"])
    return committed_model_differences(committed, metamodel_bytes(prepared.metamodel), X, report.tolerance)


def verify_epoch(dao, storage, epoch: int, key: bytes | None = None) -> Verification:
    """Check epoch `epoch`'s committed report. `key` is a recipient's private key (the operator's or
    an auditor's) that opens sealed data sets; without one that opens all of them, the result is
    partial (`unchecked` names the sealed contributions) and only what is public is checked."""
    record = dao.settlement.epochs(epoch)
    if not report_cid_of(record):
        raise CannotVerify(f"epoch {epoch} has no committed report to verify")
    report_cid = report_cid_of(record)
    committed = storage.get(report_cid)
    try:
        report = ValuationReport.from_json(committed)
    except InvalidInput as exc:  # e.g. a NaN bound: it does not verify, worth a challenge
        refused = [("report", str(exc), "a valuation report")]
        return Verification(epoch, report_cid, False, refused, [], refused, [], 0.0, math.inf)
    differences: list[Difference] = []
    on_chain = {
        "chain.inputs_hash": "0x" + bytes(record.inputs_hash).hex(),
        "chain.mint_root": "0x" + bytes(record.mint_root).hex(),
        "chain.slash_root": "0x" + bytes(record.slash_root).hex(),
        "chain.total_mint": int(record.total_mint),
    }
    in_report = {
        "chain.inputs_hash": "0x" + report.inputs_hash.hex(),
        "chain.mint_root": report.mint_root,
        "chain.slash_root": report.slash_root,
        "chain.total_mint": report.total_mint,
    }
    differences += [(k, on_chain[k], in_report[k]) for k in on_chain if on_chain[k] != in_report[k]]
    # A live report's commitment and posts against the outcome board as it stood at the report's
    # commit (needs no sealed data), rebuilt from the board's events: no archive node needed, and
    # exact inside the commit's block (see `live_state_at`).
    at = None
    if report.inputs.get("live") is not None or is_live_on_board(dao, epoch):
        at = report_commit_position(dao, epoch, report_cid)
        if at is None:
            raise CannotVerify(f"no EpochCommitted event of epoch {epoch} names its report {report_cid}")
    differences += board_differences(dao, epoch, report, at)
    notes = board_notes(live_state_at(dao, epoch, at), live_state(dao, epoch)) if at is not None else []

    inputs = report.inputs
    validation_cid = inputs.get("validation_cid")
    if not validation_cid:
        raise CannotVerify(
            f"the report of epoch {epoch} does not reveal its hold-out set (no validation_cid)"
        )
    validation_csv = storage.get(validation_cid)
    recipe_cid, recipe = read_recipe(dao, storage, epoch)
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    contributions = read_contributions(dao, epoch)
    unchecked = unopenable_sealed(storage, contributions, key, recipe.operator_key)
    if unchecked:
        integrity = differences + integrity_differences(report, policy)
        try:
            public = public_differences(
                storage, report, recipe_cid, recipe, contributions, validation_csv, {i for i, _ in unchecked}
            )
        except EpochError as exc:
            raise CannotVerify(f"epoch {epoch}'s public artifacts cannot be checked: {exc}") from exc
        integrity += public
        return Verification(
            epoch,
            report_cid,
            not integrity,
            integrity,
            version_differences(inputs.get("versions", {})),
            integrity,
            [],
            report.tolerance,
            0.0,
            False,
            unchecked,
            notes,
        )
    try:
        history = gather_history(dao, storage, epoch)
        if recipe.scoring == "live":
            differences += live_commitment_differences(report)
            recomputed = recompute_live_report(
                storage, report, recipe_cid, recipe, contributions, validation_csv, key, history
            )
            differences += committed_metamodel_differences(
                storage, report, recipe_cid, recipe, contributions, validation_csv, key, history
            )
        else:
            recomputed = value_epoch(
                storage,
                epoch,
                recipe_cid,
                recipe,
                contributions,
                validation_csv,
                operator_key=key,
                validation_cid=validation_cid,
                history=history,
            ).report.to_json()
    except EpochError as exc:
        raise CannotVerify(f"epoch {epoch} cannot be recomputed: {exc}") from exc
    result = verify_report(committed, recomputed, policy)
    result.report_cid = report_cid
    result.integrity = differences + result.integrity
    result.differences = result.integrity + result.numbers
    result.match = not result.differences
    result.board_notes = notes
    return result
