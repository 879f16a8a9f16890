"""Live-scored epochs on chain: the outcome reporter's posts and the live state of an epoch."""
