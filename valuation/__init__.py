"""Pure valuation: games, Shapley estimators, metamodel, payout policy, reports. No chain or IPFS imports."""

from valuation.games import ModelGame, ProviderGame
from valuation.shapley import ShapleyResult, estimate_shapley

__all__ = ["ModelGame", "ProviderGame", "ShapleyResult", "estimate_shapley"]
