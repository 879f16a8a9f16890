"""Exception types of the `dao` package: each names what went wrong and what to do about it."""


class DaoError(Exception):
    """Base class: the CLI prints these as one sentence, without a traceback."""


class ConfigurationError(DaoError):
    """A setting (environment variable, config file, flag) is missing or malformed."""
