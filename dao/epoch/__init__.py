"""The epoch: pure valuation of its contributions, the operator's run/commit/finalize, verification."""
