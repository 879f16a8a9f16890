"""The Metamodel DAO story end to end (`python -m demo`); sits above dao and governance."""
