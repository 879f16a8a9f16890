"""Pure valuation: games, Shapley estimators, metamodel, payout policy, reports. No chain or IPFS imports."""
