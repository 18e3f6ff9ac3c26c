"""Words as people write them: counts with the right noun ("1 card", "3 cards")."""

from __future__ import annotations

_IRREGULAR = {"person": "people", "story": "stories", "entry": "entries", "day": "days"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun``, singular for exactly one: ``plural(1, "card") == "1 card"``;
    thousands grouped as people write them (``"40,831 cards"``).

    ``many`` names the plural when it is not the noun plus "s" (and not in the small table
    of irregular nouns above).
    """
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {many or _IRREGULAR.get(noun) or noun + 's'}"


def counted(count: int, nouns: str) -> str:
    """Like :func:`plural`, for a name already in the plural ("archived cards", "history
    events"): ``counted(1, "comments") == "1 comment"``."""
    if count != 1:
        return f"{count:,} {nouns}"
    singular = next((one for one, many in _IRREGULAR.items() if nouns.endswith(many)), None)
    if singular is not None:
        return f"1 {nouns.removesuffix(_IRREGULAR[singular])}{singular}"
    return f"1 {nouns.removesuffix('s')}"
