"""What a request did to a table: two scans compared item by item, attribute by attribute."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class ItemChange:
    """One item added, removed or changed; `attributes` maps name → (before, after)."""

    kind: Literal["added", "removed", "changed"]
    key: str
    attributes: Mapping[str, tuple[Any, Any]]


def diff_items(
    before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]], key: str = "id"
) -> list[ItemChange]:
    """The changes from `before` to `after` (both lists of items keyed by `key`), in key order;
    a changed item lists only the attributes whose values differ."""
    old = {str(item[key]): item for item in before}
    new = {str(item[key]): item for item in after}
    changes = []
    for item_key in sorted(old.keys() | new.keys()):
        if item_key not in old:
            added = new[item_key]
            changes.append(ItemChange("added", item_key, {k: (None, v) for k, v in added.items()}))
        elif item_key not in new:
            gone = old[item_key]
            changes.append(ItemChange("removed", item_key, {k: (v, None) for k, v in gone.items()}))
        else:
            a, b = old[item_key], new[item_key]
            differ = {
                k: (a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)
            }
            if differ:
                changes.append(ItemChange("changed", item_key, differ))
    return changes
