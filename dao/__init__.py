"""Metamodel DAO orchestration: storage, chain bindings, the epoch pipeline and the `dao` CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("metamodel-dao")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
