"""Earned value for agile releases (AgileEVM), after each closed sprint.

Sulaiman, Barton and Blackburn, "AgileEVM: Earned Value Management in Scrum Projects"
(Agile 2006), map the PMI earned-value formulas onto a release: the planned percent
complete is the share of the planned sprints done, the actual percent complete the share of
the release's planned points done (scope added to the release moves its planned points,
so APC falls when work is added). From those and the budget at completion (BAC)::

    PPC = sprints done / planned sprints       APC = points done / planned points
    PV  = PPC x BAC     EV  = APC x BAC        AC  = cost of the logged hours
    CV  = EV - AC       SV  = EV - PV          CPI = EV / AC       SPI = EV / PV
    EAC = BAC / CPI     ETC = EAC - AC         VAC = BAC - EAC

Pure functions on Decimal: no SQL, no Qt. A figure that cannot be computed (no cost logged
yet, nothing planned, nothing earned) is None and :attr:`EvmPoint.reasons` says why, never
a division by zero. Money is rounded to cents half up at the end, the ratios to four places;
EAC is computed as BAC x AC / EV so that no rounded CPI feeds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class SprintActuals:
    """What one closed sprint contributes to a release's earned value, cumulatively:
    ``points_done`` and ``actual_cost`` are totals from the release's first sprint up to
    and including this one; ``planned_points`` is the release's scope as known at its close."""

    name: str
    points_done: Decimal
    planned_points: Decimal
    actual_cost: Decimal


@dataclass(frozen=True)
class EvmPoint:
    """The AgileEVM figures after one closed sprint (see the module's formulas)."""

    sprint: str
    number: int  # 1-based: the sprints done so far
    planned_sprints: int
    points_done: Decimal
    planned_points: Decimal
    bac: Decimal
    ppc: Decimal
    apc: Decimal | None
    pv: Decimal
    ev: Decimal | None
    ac: Decimal
    cv: Decimal | None
    sv: Decimal | None
    cpi: Decimal | None
    spi: Decimal | None
    eac: Decimal | None
    etc: Decimal | None
    vac: Decimal | None
    reading: str
    reasons: dict[str, str] = field(default_factory=dict)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(value: Decimal) -> Decimal:
    return value.quantize(RATIO, rounding=ROUND_HALF_UP)


def evm_point(
    sprint: str,
    number: int,
    planned_sprints: int,
    points_done: Decimal,
    planned_points: Decimal,
    bac: Decimal,
    actual_cost: Decimal,
) -> EvmPoint:
    """The figures after the ``number``-th closed sprint of a release of ``planned_sprints``.

    Sprints past the plan count as they are (PPC above 1): a late release shows it."""
    if planned_sprints < 1:
        raise ValueError("a release plans at least one sprint")
    reasons: dict[str, str] = {}
    ppc_exact = Decimal(number) / Decimal(planned_sprints)
    pv_exact = ppc_exact * bac
    apc_exact: Decimal | None = None
    ev_exact: Decimal | None = None
    if planned_points > 0:
        apc_exact = Decimal(points_done) / Decimal(planned_points)
        ev_exact = apc_exact * bac
    else:
        reasons["apc"] = reasons["ev"] = "the release has no planned points"
    cv = sv = cpi = spi = eac = etc = vac = None
    if ev_exact is not None:
        cv = _money(ev_exact - actual_cost)
        sv = _money(ev_exact - pv_exact)
        if actual_cost > 0:
            cpi = _ratio(ev_exact / actual_cost)
        else:
            reasons["cpi"] = "no cost logged yet"
        if pv_exact > 0:
            spi = _ratio(ev_exact / pv_exact)
        else:
            reasons["spi"] = "nothing planned (the budget at completion is 0)"
        if actual_cost <= 0:
            reasons["eac"] = "no cost logged yet"
        elif ev_exact <= 0:
            reasons["eac"] = "nothing earned yet (CPI is 0)"
        else:
            eac_exact = bac * actual_cost / ev_exact
            eac = _money(eac_exact)
            etc = _money(eac_exact - actual_cost)
            vac = _money(bac - eac_exact)
    else:
        for name in ("cv", "sv", "cpi", "spi"):
            reasons[name] = reasons["ev"]
        reasons["eac"] = reasons["ev"]
    if "eac" in reasons:
        reasons["etc"] = reasons["vac"] = reasons["eac"]
    return EvmPoint(
        sprint=sprint,
        number=number,
        planned_sprints=planned_sprints,
        points_done=Decimal(points_done),
        planned_points=Decimal(planned_points),
        bac=_money(bac),
        ppc=_ratio(ppc_exact),
        apc=None if apc_exact is None else _ratio(apc_exact),
        pv=_money(pv_exact),
        ev=None if ev_exact is None else _money(ev_exact),
        ac=_money(actual_cost),
        cv=cv,
        sv=sv,
        cpi=cpi,
        spi=spi,
        eac=eac,
        etc=etc,
        vac=vac,
        reading=plain_reading(cpi, spi, reasons),
        reasons=reasons,
    )


def evm_series(
    sprints: Sequence[SprintActuals], planned_sprints: int, bac: Decimal
) -> list[EvmPoint]:
    """One :class:`EvmPoint` per closed sprint, in order (the first is sprint 1)."""
    return [
        evm_point(s.name, i, planned_sprints, s.points_done, s.planned_points, bac, s.actual_cost)
        for i, s in enumerate(sprints, start=1)
    ]


def plain_reading(
    cpi: Decimal | None, spi: Decimal | None, reasons: dict[str, str] | None = None
) -> str:
    """What a manager says: "over budget, behind schedule", "on budget, ahead of schedule"…
    CPI below 1 is over budget (each unit of money earned less than its worth); SPI below 1
    is behind schedule. Exactly 1 (to four places) is on budget / on schedule."""
    reasons = reasons or {}
    if cpi is None:
        cost = f"cost unknown ({reasons.get('cpi', 'no cost logged yet')})"
    elif cpi < ONE:
        cost = "over budget"
    elif cpi > ONE:
        cost = "under budget"
    else:
        cost = "on budget"
    if spi is None:
        time = f"schedule unknown ({reasons.get('spi', 'nothing planned')})"
    elif spi < ONE:
        time = "behind schedule"
    elif spi > ONE:
        time = "ahead of schedule"
    else:
        time = "on schedule"
    return f"{cost}, {time}"


__all__ = ["EvmPoint", "SprintActuals", "evm_point", "evm_series", "plain_reading"]
