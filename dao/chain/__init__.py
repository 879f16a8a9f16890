"""Chain side: bindings of the deployed contracts, deployment, accounts, the local node, units."""
