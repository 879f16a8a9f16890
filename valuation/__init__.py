"""Pure valuation: games, Shapley estimators, metamodel, payout policy, reports. No chain or IPFS imports."""

from valuation.games import ModelGame, ProviderGame
from valuation.metamodel import StackedMetamodel
from valuation.payout import Allocation, PayoutPolicy, Player
from valuation.shapley import ShapleyResult, estimate_shapley
from valuation.specs import ModelSpec, parse_model_spec

__all__ = [
    "Allocation",
    "ModelGame",
    "ModelSpec",
    "PayoutPolicy",
    "Player",
    "ProviderGame",
    "ShapleyResult",
    "StackedMetamodel",
    "estimate_shapley",
    "parse_model_spec",
]
