"""Artifacts: recipes, data sets and their encoding, anchor checks, sealing of private data, examples."""
