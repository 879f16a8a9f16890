"""Storage errors: each says what is wrong with the content or the backend, and what to do."""

from dao.errors import DaoError


class StorageError(DaoError):
    """Base class of storage failures."""


class InvalidCID(StorageError):
    """A string is not a CID this project can address (CIDv0, or base32 CIDv1 over sha2-256)."""


class ContentNotFound(StorageError):
    """A block of the requested content is not in the store."""


class CorruptBlock(StorageError):
    """A stored block does not hash to its CID (damaged or truncated on disk)."""


class StorageUnavailable(StorageError):
    """The configured IPFS daemon does not answer."""


class NotAFile(StorageError):
    """Content that is present and intact but is not a UnixFS file: a directory, another codec
    (dag-cbor), a block that is not dag-pb, or a DAG shaped to cost far more than it holds.

    Whoever named the CID is at fault, not the store: the epoch rejects the contribution."""


class ContentTooLarge(StorageError):
    """Content declares or yields more bytes (or blocks) than the reader's limit."""
