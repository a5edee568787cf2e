"""The JSON of a result: its document (`coachkit.document`), sorted keys, byte-identical.

Documents are indented for people. A top-level list longer than `PRETTY_ITEMS` (the subjects of
an organization-wide file, say) has one compact item per line instead: still valid JSON, easy to
grep. orjson writes the text, byte for byte what the standard library would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from coachkit.document import SCHEMA_VERSION, clean, document

__all__ = ["SCHEMA_VERSION", "dumps", "render_json"]

PRETTY_ITEMS = 100


def _encode(value: Any, indent: bool) -> str:
    """JSON text by orjson: the same bytes as the standard library's `json.dumps(value,
    sort_keys=True, ensure_ascii=False)` (indented by 2, or compact) for floats rounded to 4
    decimals, several times faster."""
    return _encoded(value, indent).decode("utf-8")


def _encoded(value: Any, indent: bool) -> bytes:
    """`_encode`'s text as UTF-8."""
    import orjson

    option = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(value, option=option)


def dumps(
    document: dict[str, Any],
    rounded: bool = False,
    streamed: Mapping[str, Iterable[Any]] | None = None,
) -> str:
    """Serialize a document; `rounded` says its floats are rounded already. `streamed` gives
    long lists item by item (each encoded as it comes, so a large report is never held whole)."""
    if not rounded:
        document = clean(document)
    long: dict[str, Iterable[Any]] = {
        k: v for k, v in document.items() if isinstance(v, list) and len(v) > PRETTY_ITEMS
    }
    long |= streamed or {}
    if not long:
        return _encode(document, indent=True) + "\n"
    parts = []
    for key in sorted(document.keys() | long.keys()):
        if key in long:  # joined as bytes, decoded once: a report may run to 100 MB and more
            items = b",\n    ".join(_encoded(item, indent=False) for item in long[key])
            text = b"[\n    " + items + b"\n  ]"
        else:
            text = _encoded(document[key], indent=True).replace(b"\n", b"\n  ")
        parts.append(b"  " + _encoded(key, indent=False) + b": " + text)
    return (b"{\n" + b",\n".join(parts) + b"\n}\n").decode("utf-8")


def render_json(result: Any) -> str:
    """A result's JSON document (SPEC section 6 for a report), as `to_dict()` gives it."""
    if type(result).__name__ == "Report" and len(result.subjects) > PRETTY_ITEMS:
        from coachkit.document import report_document, subject_documents

        head = report_document(result, subjects=False)
        return dumps(head, rounded=True, streamed={"subjects": subject_documents(result)})
    return dumps(document(result), rounded=True)
