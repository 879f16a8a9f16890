"""Exception types of `valuation`: each message says what was wrong and what to do."""


class ValuationError(ValueError):
    """Base class of valuation failures."""


class InvalidInput(ValuationError):
    """Inputs to a game, estimator or policy are malformed."""


class EmptyProvider(InvalidInput):
    """A provider contributed no rows."""


class SingleClassProvider(InvalidInput):
    """A classification provider's labels are all one class."""


class NonFiniteValues(InvalidInput):
    """Features or targets contain NaN or infinity."""


class SchemaMismatch(InvalidInput):
    """Columns, widths or dtypes differ from the anchor set's."""


class TooFewRows(InvalidInput):
    """Not enough rows for the requested folds or evaluation."""


class TooFewPlayers(InvalidInput):
    """A game needs at least two players."""


class BudgetTooSmall(InvalidInput):
    """The evaluation budget cannot support the requested estimator."""


class BaseModelsFailed(InvalidInput):
    """Some base models could not be fit or could not predict; `failures` maps spec index to why."""

    def __init__(self, failures: dict[int, str]):
        self.failures = failures
        super().__init__(
            "; ".join(f"model spec {index} failed: {reason}" for index, reason in sorted(failures.items()))
        )
