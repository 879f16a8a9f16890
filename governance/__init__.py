"""Governance: proposal building, voting, queueing and execution helpers."""
