"""The prediction market: paid requests from clients and the operator's serving loop."""
