"""Model spec intake: the bounds a stranger's spec must pass before `parse_model_spec` reads it.

A spec is a small public JSON document. Checked here, before any parsing: its size (a spec padded
to a gigabyte would be parsed whole), its nesting depth, scanned without recursion (a spec nested
100,000 levels deep overflows the C stack of the JSON parser in a process that raised the recursion
limit), that it is not sealed (specs are public), and the types of the fields the allow-list is
looked up with. Any other failure of the parser is the spec's rejection, never the epoch's crash.
"""

from __future__ import annotations

import json

from dao.data.sealing import is_sealed
from valuation.specs import InvalidModelSpec, ModelSpec, parse_model_spec

MAX_SPEC_BYTES = 64 * 1024
MAX_SPEC_DEPTH = 8


def json_depth(data: bytes, limit: int = MAX_SPEC_DEPTH) -> int:
    """The deepest nesting of arrays and objects in `data`, counted without recursion; the scan
    stops once `limit` is exceeded. Brackets inside strings do not count."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def read_model_spec(data: bytes) -> ModelSpec:
    """A contributed spec's bytes, bounded and checked; `InvalidModelSpec` names what is wrong."""
    if is_sealed(data):
        raise InvalidModelSpec("the model spec is sealed: specs are public documents, contribute it unsealed")
    if len(data) > MAX_SPEC_BYTES:
        raise InvalidModelSpec(f"the model spec is larger than {MAX_SPEC_BYTES:,} bytes (64 KiB)")
    if json_depth(data) > MAX_SPEC_DEPTH:
        raise InvalidModelSpec(f"the model spec nests deeper than {MAX_SPEC_DEPTH} levels")
    try:
        document = json.loads(data)
    except ValueError:
        document = None  # parse_model_spec names the JSON error in its own words
    if isinstance(document, dict):
        for name in ("estimator", "task"):
            if name in document and not isinstance(document[name], str):
                raise InvalidModelSpec(
                    f"the model spec's {name} must be a string, got {type(document[name]).__name__}"
                )
    try:
        return parse_model_spec(data)
    except InvalidModelSpec:
        raise
    except Exception as exc:  # any parser failure on a stranger's document is that document's fault
        raise InvalidModelSpec(f"the model spec cannot be read ({type(exc).__name__})") from None
