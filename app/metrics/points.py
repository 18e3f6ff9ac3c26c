"""Story points (and hours) as text, the one way the whole app writes them. No Qt, no SQL."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def format_points(
    value: Decimal | float | int | None,
    *,
    places: int | None = None,
    empty: str = "",
    grouped: bool = False,
) -> str:
    """A number as a person writes it: ``5``, ``0.5``, ``12.5``; never ``5.0`` or ``1E+1``.

    ``places`` rounds first (half to even, as ``Decimal.quantize`` does): the reports and
    charts round to one place, so a float axis tick such as ``0.30000000000000004`` prints
    as ``0.3``. A number too large to round is printed unrounded rather than refused.
    ``None`` gives ``empty`` (``""`` unless the caller shows a placeholder such as ``–``).
    Negative zero prints as ``0``. Floats and ints go through ``str`` first, so ``2.5``
    stays ``2.5`` rather than its binary expansion. ``grouped``: thousands grouped as in
    running text (``182,089.5``), for headers a person reads, never for files.
    """
    if value is None:
        return empty
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is not None:
        try:
            number = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:
            pass  # more digits than the context holds (or not finite): print it as it is
    text = f"{number.normalize():f}"
    if text == "-0":
        return "0"
    if grouped:
        whole, dot, fraction = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        text = f"{sign}{int(whole.lstrip('-')):,}{dot}{fraction}"
    return text


__all__ = ["format_points"]
