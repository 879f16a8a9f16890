"""The epoch recipe: what a retraining proposal pins, as a canonical JSON document on IPFS.

A recipe fixes everything an epoch's outcome depends on — the data schema, the model allow-list,
the valuation method and its version and seeds, the share emission and how it is split, the slash
cap, and a commitment to the DAO's hold-out validation set (its keccak256, so contributors cannot
tune to it before it is revealed with the report). The retrain proposal's calldata carries the
recipe's CID and the keccak256 of its bytes, so the proposal id commits to every one of these.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from dao.errors import DaoError

RECIPE_VERSION = 1
TASKS = ("classification", "regression")
DTYPES = ("float64", "int64", "bool", "category")
VALUATION_METHODS = ("shapley-shap",)
_HEX32 = re.compile(r"^0x[0-9a-f]{64}$")
# The near-copy rule's settings a recipe may state (issue 18; `valuation.grouping.NearCopyRule`),
# and how many rows of earlier epochs (revealed hold-outs, accepted data) the trace compares with.
NEAR_COPY_KEYS = ("tolerance", "feature_share", "max_history_rows")
DEFAULT_MAX_HISTORY_ROWS = 200_000
# Live scoring and the meta-learner (issue 20; `valuation.live`, `valuation.stake_weighting`): real
# fields of the recipe, each absent from its JSON while it has its default so that recipes written
# before them keep their bytes (and CIDs). Recipes of the first round stated them in `extra`; they
# are lifted from there into the fields (one reading).
SCORING_KEYS = (
    "scoring",
    "resolution_blocks",
    "min_resolved_rows",
    "max_extensions",
    "meta_learner",
    "outcome_reporter",
)
_SCORING_DEFAULTS = {
    "scoring": "static",
    "resolution_blocks": None,
    "min_resolved_rows": None,
    "max_extensions": 1,
    "meta_learner": "stacked",
    "outcome_reporter": None,
}
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class InvalidRecipe(DaoError):
    """A recipe document is malformed or out of range."""


@dataclass(frozen=True)
class DataSchema:
    features: tuple[tuple[str, str], ...]  # (column name, dtype), in order
    target: str
    task: str = "classification"
    # (column name, its levels) for each category feature: the levels fix the one-hot encoding the
    # models see, so training and paid predictions encode a value the same way.
    categories: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def levels(self, column: str) -> tuple[str, ...]:
        """The declared levels of a category feature."""
        return dict(self.categories)[column]

    def validate(self) -> None:
        if self.task not in TASKS:
            raise InvalidRecipe(f"schema.task is {self.task!r}; expected one of {', '.join(TASKS)}")
        if not self.features:
            raise InvalidRecipe("schema.features is empty; list at least one (name, dtype) column")
        names = [name for name, _ in self.features]
        if len(set(names)) != len(names):
            raise InvalidRecipe("schema.features has duplicate column names")
        for name, dtype in self.features:
            if dtype not in DTYPES:
                raise InvalidRecipe(f"schema column {name!r} has dtype {dtype!r}; expected one of {DTYPES}")
        if self.target in names:
            raise InvalidRecipe(f"schema.target {self.target!r} is also a feature column")
        declared = dict(self.categories)
        if len(declared) != len(self.categories):
            raise InvalidRecipe("schema.categories names a column twice")
        category_columns = [name for name, dtype in self.features if dtype == "category"]
        undeclared = [name for name in category_columns if name not in declared]
        if undeclared:
            raise InvalidRecipe(
                f"schema.categories must list the levels of the category columns {undeclared}"
            )
        stray = [name for name in declared if name not in category_columns]
        if stray:
            raise InvalidRecipe(f"schema.categories names {stray}, which are not category feature columns")
        for name, levels in self.categories:
            if not levels or not all(isinstance(level, str) and level for level in levels):
                raise InvalidRecipe(
                    f"schema.categories[{name!r}] must be a non-empty list of non-empty strings"
                )
            if len(set(levels)) != len(levels):
                raise InvalidRecipe(f"schema.categories[{name!r}] lists a level twice")


# The policy a new DAO starts with (the demo, `dao example` and tests): one place, read everywhere.
DEFAULT_EMISSION = 1_000_000 * 10**18  # share wei an epoch mints
DEFAULT_DATA_POOL_BPS = 7_000  # 70% of the emission to data providers, the rest to model builders
DEFAULT_SLASH_CAP_BPS = 2_000  # at most 20% of a contribution's stake slashed per epoch


@dataclass(frozen=True)
class Recipe:
    schema: DataSchema
    model_allow_list: tuple[str, ...]
    emission: int  # share wei minted by the epoch
    data_pool_bps: int  # the data providers' part of the emission; the rest goes to model builders
    slash_cap_bps: int  # at most this fraction of a contribution's stake is slashed per epoch
    anchor_cid: str  # the DAO's small clean anchor set
    validation_commitment: str  # 0x-keccak256 of the hold-out validation file's bytes
    valuation_method: str = "shapley-shap"
    valuation_version: str = "1"
    valuation_budget: int | None = None  # None: exact Shapley when feasible
    n_folds: int = 5
    random_state: int = 0
    notes: str = ""
    # Estimated training cost each model spec may take per pooled row (`valuation.budget`); None:
    # the default, `DEFAULT_COST_PER_ROW` (about 10 ms of one core per row and spec).
    training_budget: float | None = None
    version: int = RECIPE_VERSION
    extra: dict = field(default_factory=dict)
    # Public keys (0x + 64 hex) of auditors: private data sets are sealed to them as well as to the
    # operator, so that they can verify an epoch with sealed data (`dao verify N --key FILE`).
    auditor_public_keys: tuple[str, ...] = ()
    # {"tolerance", "feature_share", "max_history_rows"}, each optional: absent means the rule's
    # default (recipes written before issue 18 load unchanged and keep their bytes).
    near_copy: dict = field(default_factory=dict)
    # How the epoch is scored: "static" (on the committed hold-out) or "live" (on outcome rows the
    # `outcome_reporter` posts within `resolution_blocks` after the metamodel commitment; at least
    # `min_resolved_rows` of them, the period extended at most `max_extensions` times, else void).
    scoring: str = "static"
    resolution_blocks: int | None = None
    min_resolved_rows: int | None = None
    max_extensions: int = 1
    # How the metamodel combines the builders' models: "stacked" (stakes ignored), "stake_weighted"
    # (Numerai's stake-weighted mean) or "stake_prior" (a stacker shrunk toward stake weights).
    meta_learner: str = "stacked"
    outcome_reporter: str | None = None  # the address whose outcome posts may score a live epoch

    def __post_init__(self) -> None:
        # Recipes of the first round stated the scoring terms in `extra`: lift them into the fields.
        if not isinstance(self.extra, dict) or not set(SCORING_KEYS) & set(self.extra):
            return
        extra = dict(self.extra)
        for key in SCORING_KEYS:
            if key not in extra:
                continue
            value = extra.pop(key)
            current = getattr(self, key)
            if current != _SCORING_DEFAULTS[key] and current != value:
                raise InvalidRecipe(f"{key} is stated twice, as {current!r} and as extra.{key} = {value!r}")
            object.__setattr__(self, key, value)
        object.__setattr__(self, "extra", extra)

    @property
    def live_scoring(self):
        """The recipe's `valuation.live.LiveScoring` terms; None for a static epoch."""
        from valuation.errors import InvalidInput
        from valuation.live import LiveScoring

        try:
            return LiveScoring.from_dict({key: getattr(self, key) for key in SCORING_KEYS})
        except InvalidInput as exc:
            raise InvalidRecipe(str(exc)) from None

    def _validate_scoring(self) -> None:
        from valuation.stake_weighting import META_LEARNERS

        if self.meta_learner not in META_LEARNERS:
            raise InvalidRecipe(
                f"meta_learner {self.meta_learner!r} is not one of {', '.join(META_LEARNERS)}"
            )
        if self.scoring == "static":
            stray = [
                key
                for key in ("resolution_blocks", "min_resolved_rows", "max_extensions", "outcome_reporter")
                if getattr(self, key) != _SCORING_DEFAULTS[key]
            ]
            if stray:
                raise InvalidRecipe(
                    f"{stray[0]} is a live-scoring term but scoring is static; set scoring to live or "
                    f"drop {', '.join(stray)}"
                )
            return
        reporter = self.outcome_reporter
        if self.scoring == "live" and not (isinstance(reporter, str) and _ADDRESS.match(reporter)):
            raise InvalidRecipe(
                "outcome_reporter must be the 0x-prefixed 20-byte address of the outcome reporter "
                f"(required when scoring is live), got {reporter!r}"
            )
        self.live_scoring  # noqa: B018 (LiveScoring checks the mode and the terms, naming the field)

    @property
    def near_copy_rule(self):
        """The recipe's `NearCopyRule`: its stated settings, the rule's defaults for the rest."""
        from valuation.grouping import NearCopyRule

        stated = {k: v for k, v in self.near_copy.items() if k in ("tolerance", "feature_share")}
        return NearCopyRule(**{k: float(v) for k, v in stated.items()})

    @property
    def max_history_rows(self) -> int:
        """At most this many rows of earlier epochs are compared with this epoch's (the latest kept)."""
        return int(self.near_copy.get("max_history_rows", DEFAULT_MAX_HISTORY_ROWS))

    def _validate_near_copy(self) -> None:
        from valuation.errors import InvalidInput

        if not isinstance(self.near_copy, dict):
            raise InvalidRecipe(
                'near_copy must be an object such as {"tolerance": 0.02, "feature_share": 0.4}, '
                f"got {self.near_copy!r}"
            )
        unknown = sorted(set(self.near_copy) - set(NEAR_COPY_KEYS))
        if unknown:
            raise InvalidRecipe(
                f"near_copy has unknown keys {unknown}; expected some of {list(NEAR_COPY_KEYS)}"
            )
        for key in ("tolerance", "feature_share"):
            value = self.near_copy.get(key, 0.5)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidRecipe(f"near_copy.{key} must be a number, got {value!r}")
        rows = self.near_copy.get("max_history_rows", DEFAULT_MAX_HISTORY_ROWS)
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise InvalidRecipe(f"near_copy.max_history_rows must be an integer >= 0, got {rows!r}")
        try:
            self.near_copy_rule  # noqa: B018 (the rule checks its own ranges)
        except InvalidInput as exc:
            raise InvalidRecipe(f"near_copy: {exc}") from None

    def validate(self) -> Recipe:
        from dao.storage.cid import is_valid_cid

        self.schema.validate()
        if not self.model_allow_list:
            raise InvalidRecipe("model_allow_list is empty; name at least one estimator")
        if not isinstance(self.emission, int) or self.emission <= 0:
            raise InvalidRecipe(f"emission must be a positive integer of share wei, got {self.emission!r}")
        for name in ("data_pool_bps", "slash_cap_bps"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 10_000:
                raise InvalidRecipe(f"{name} must be basis points between 0 and 10000, got {value!r}")
        if not is_valid_cid(self.anchor_cid):
            raise InvalidRecipe(f"anchor_cid {self.anchor_cid!r} is not a CID")
        if not _HEX32.match(self.validation_commitment):
            raise InvalidRecipe("validation_commitment must be 0x followed by 64 lowercase hex digits")
        if self.valuation_method not in VALUATION_METHODS:
            raise InvalidRecipe(
                f"valuation_method {self.valuation_method!r} is not one of {VALUATION_METHODS}"
            )
        if self.valuation_budget is not None and self.valuation_budget < 1:
            raise InvalidRecipe("valuation_budget must be positive or null (exact)")
        budget = self.training_budget
        if budget is not None and (
            isinstance(budget, bool) or not isinstance(budget, int | float) or not 0 < budget < float("inf")
        ):
            raise InvalidRecipe(
                f"training_budget must be a positive number of cost units per pooled row or null "
                f"(the default), got {budget!r}"
            )
        if not 2 <= self.n_folds <= 20:
            raise InvalidRecipe(f"n_folds must be between 2 and 20, got {self.n_folds}")
        self._validate_auditors()
        if self.version != RECIPE_VERSION:
            raise InvalidRecipe(
                f"recipe version {self.version} is not supported (this code reads {RECIPE_VERSION})"
            )
        self._validate_near_copy()
        self._validate_scoring()
        return self

    def _validate_auditors(self) -> None:
        from dao.data.sealing import MAX_RECIPIENTS, SealingError, check_public_key

        keys = self.auditor_public_keys
        if not isinstance(keys, tuple) or not all(isinstance(key, str) for key in keys):
            raise InvalidRecipe("auditor_public_keys must be a list of 0x-prefixed hex strings")
        for index, key in enumerate(keys):
            if not _HEX32.match(key):
                raise InvalidRecipe(
                    f"auditor_public_keys[{index}] must be 0x followed by 64 lowercase hex digits "
                    "(a Curve25519 public key, as `python -m dao.data.sealing new-key` prints it)"
                )
            try:
                check_public_key(bytes.fromhex(key[2:]), f"auditor_public_keys[{index}]")
            except SealingError as exc:
                raise InvalidRecipe(str(exc)) from None
        if len(set(keys)) != len(keys):
            raise InvalidRecipe("auditor_public_keys lists a key twice")
        if len(keys) > MAX_RECIPIENTS - 1:
            raise InvalidRecipe(
                f"auditor_public_keys lists {len(keys)} keys; at most {MAX_RECIPIENTS - 1} (with the "
                f"operator, a sealed data set has at most {MAX_RECIPIENTS} recipients)"
            )
        if self.operator_key is not None and self.operator_key in self.auditor_keys:
            raise InvalidRecipe("auditor_public_keys lists the operator's own public key")

    @property
    def operator_key(self) -> bytes | None:
        """The operator's sealing public key as the recipe publishes it (`extra.operator_public_key`);
        None when it publishes none or not hex."""
        key = (self.extra or {}).get("operator_public_key")
        try:
            return bytes.fromhex(str(key).removeprefix("0x")) if key else None
        except ValueError:
            return None

    @property
    def auditor_keys(self) -> list[bytes]:
        """The auditors' public keys (validated 0x + 64 hex) as bytes."""
        return [bytes.fromhex(key[2:]) for key in self.auditor_public_keys]

    def to_json(self) -> bytes:
        """Canonical bytes: sorted keys, no whitespace; wei as a decimal string (JSON readers lose ints)."""
        document = asdict(self)
        document["emission"] = str(self.emission)
        # Absent rather than empty: recipes without category columns keep the bytes (and CIDs) they had.
        categories = document["schema"].pop("categories")
        if categories:
            document["schema"]["categories"] = {name: list(levels) for name, levels in categories}
        if not self.auditor_public_keys:  # absent when empty, as categories: old recipes keep their CIDs
            del document["auditor_public_keys"]
        if self.training_budget is None:  # likewise: recipes on the default budget keep their bytes
            del document["training_budget"]
        if not document["near_copy"]:
            del document["near_copy"]
        for key, default in _SCORING_DEFAULTS.items():  # absent at their defaults: old recipes' bytes
            if document[key] == default:
                del document[key]
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Recipe:
        try:
            document = json.loads(data)
            schema = document.pop("schema")
            recipe = cls(
                schema=DataSchema(
                    features=tuple((str(n), str(t)) for n, t in schema["features"]),
                    target=schema["target"],
                    task=schema.get("task", "classification"),
                    categories=_categories_from_json(schema.get("categories", {})),
                ),
                model_allow_list=tuple(document.pop("model_allow_list")),
                emission=int(document.pop("emission")),
                auditor_public_keys=_auditors_from_json(document.pop("auditor_public_keys", [])),
                **document,
            )
        except InvalidRecipe:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidRecipe(f"the recipe is not a valid recipe document: {exc}") from exc
        return recipe.validate()


def _categories_from_json(document) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(document, dict) or not all(isinstance(v, list) for v in document.values()):
        raise InvalidRecipe(
            'schema.categories must map each category column to a list of levels: {"col": ["a", "b"]}'
        )
    return tuple((str(name), tuple(levels)) for name, levels in document.items())


def _auditors_from_json(document) -> tuple[str, ...]:
    if not isinstance(document, list):
        raise InvalidRecipe('auditor_public_keys must be a list of keys: ["0x…", "0x…"]')
    return tuple(document)


def single_model_recipe(
    anchor_cid: str, emission: int, features=(("x", "float64"),), target: str = "y"
) -> Recipe:
    """A minimal valid recipe (one model, 70% data pool, 20% slash cap), for tests and benchmarks."""
    return Recipe(
        schema=DataSchema(features=tuple(features), target=target),
        model_allow_list=("logistic_regression",),
        emission=emission,
        data_pool_bps=DEFAULT_DATA_POOL_BPS,
        slash_cap_bps=DEFAULT_SLASH_CAP_BPS,
        anchor_cid=anchor_cid,
        validation_commitment="0x" + "ab" * 32,
    ).validate()
