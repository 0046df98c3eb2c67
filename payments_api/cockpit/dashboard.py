"""The dashboard at the admin's index: a snapshot of the selectors' figures and two bar charts drawn as inline SVG.

The charts are computed here as rectangles in a fixed coordinate space (the SVG's viewBox) and coloured by CSS
classes whose colours follow the admin's light and dark themes (cockpit/dashboard.css).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from payments_api.cockpit.selectors import (
    ApprovedFigures,
    Decisions,
    MonthVolume,
    PendingQueue,
    ProgrammeFigures,
    SupplierVolume,
)
from payments_api.cockpit.services import DashboardSnapshot

STATUSES = ("approved", "pending", "denied")  # stacked from the axis up
AXIS_FLOOR = Decimal(1000)


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above `value` (the top of an axis), and at least R$ 1,000."""
    if value <= AXIS_FLOOR:
        return AXIS_FLOOR
    magnitude = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # unreachable: value <= 10 x 10^adjusted


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    status: str
    value: Decimal


@dataclass(frozen=True)
class Tick:
    y: float
    value: Decimal


@dataclass(frozen=True)
class MonthColumn:
    month: datetime.date
    x: float  # centre, for the label
    bars: list[Bar]
    volume: MonthVolume


@dataclass(frozen=True)
class SupplierRow:
    y: float
    width: float
    supplier: SupplierVolume


class MonthlyVolumeChart:
    width, height = 640, 260
    left, right, top, bottom = 80, 10, 10, 30

    def __init__(self, volumes: list[MonthVolume]):
        self.volumes = volumes
        self.maximum = nice_ceiling(max((volume.total for volume in volumes), default=Decimal(0)))
        self.plot_width = self.width - self.left - self.right
        self.plot_height = self.height - self.top - self.bottom
        self.axis_y = self.top + self.plot_height

    def scale(self, value: Decimal) -> float:
        return float(value / self.maximum) * self.plot_height

    @cached_property
    def ticks(self) -> list[Tick]:
        return [Tick(y=self.axis_y - self.scale(self.maximum * n / 4), value=self.maximum * n / 4) for n in range(5)]

    @cached_property
    def columns(self) -> list[MonthColumn]:
        slot = self.plot_width / max(len(self.volumes), 1)
        bar_width = slot * 0.6
        columns = []
        for index, volume in enumerate(self.volumes):
            x = self.left + slot * index + (slot - bar_width) / 2
            bottom, bars = float(self.axis_y), []
            for status in STATUSES:
                value = getattr(volume, status)
                height = self.scale(value)
                if height > 0:
                    bottom -= height
                    bars.append(Bar(x=x, y=bottom, width=bar_width, height=height, status=status, value=value))
            columns.append(MonthColumn(month=volume.month, x=x + bar_width / 2, bars=bars, volume=volume))
        return columns


class TopSuppliersChart:
    width = 640
    left, right, row_height, bar_height = 240, 110, 24, 16

    def __init__(self, suppliers: list[SupplierVolume]):
        self.suppliers = suppliers
        self.maximum = max((supplier.value for supplier in suppliers), default=Decimal(0))
        self.height = max(len(suppliers), 1) * self.row_height
        self.plot_width = self.width - self.left - self.right

    @cached_property
    def rows(self) -> list[SupplierRow]:
        return [
            SupplierRow(
                y=index * self.row_height,
                width=float(supplier.value / self.maximum) * self.plot_width if self.maximum else 0,
                supplier=supplier,
            )
            for index, supplier in enumerate(self.suppliers)
        ]


class Dashboard:
    """The page's view of a snapshot of the figures: the figures themselves and the charts drawn from them."""

    def __init__(self, snapshot: DashboardSnapshot):
        self.computed_at = snapshot.computed_at
        figures: ProgrammeFigures = snapshot.figures
        self.today = figures.today
        self.pending: PendingQueue = figures.pending
        self.oldest_waiting_days = figures.pending.waiting_days(today=figures.today)
        self.decided_today: Decisions = figures.decided_today
        self.month: ApprovedFigures = figures.month
        self.year: ApprovedFigures = figures.year
        self.months = figures.months
        self.budget = figures.budget
        self.monthly_volume = MonthlyVolumeChart(figures.monthly_volume)
        self.top_suppliers = TopSuppliersChart(figures.top_suppliers)
