"""Public API of deadline accountability: per unit and rolled up, as JSON or CSV."""

# No postponed annotations here: FastAPI evaluates the route's annotations.
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from kmzb_common.mongo import run_db

from ..domain.deadlines import Period
from ..workflow.accountability import Accountability, rows_csv

__all__ = ["build_deadlines_router"]

PeriodQuery = Annotated[Period, Query(description="Tasks posted in the last 28 days (28d) or 12 months (12m)")]
UnitQuery = Annotated[
    str | None, Query(pattern=r"^[A-Z0-9-]{1,32}$", description="This unit and the units below it; all by default")
]
FormatQuery = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


def build_deadlines_router(accountability: Accountability) -> APIRouter:
    """Routes of the public deadline figures."""
    router = APIRouter(prefix="/api/v1", tags=["deadlines"])

    def answer(report: dict[str, Any], fmt: str) -> Response:
        if fmt == "csv":
            name = f"terminowosc-{report['period']}.csv"
            return Response(
                rows_csv(report),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return JSONResponse(report)

    @router.get(
        "/deadlines",
        summary="Public: share of tasks reviewed and verified within the deadlines, medians, open overdue, per unit",
        responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
    )
    async def deadlines(
        period: PeriodQuery = Period.FOUR_WEEKS, unit_id: UnitQuery = None, format: FormatQuery = "json"
    ) -> Response:
        return answer(await run_db(accountability.report, period=period, unit_id=unit_id), format)

    @router.get(
        "/deadlines.csv", summary="Public: the deadline figures as CSV", responses={200: {"content": {"text/csv": {}}}}
    )
    async def deadlines_csv(period: PeriodQuery = Period.FOUR_WEEKS, unit_id: UnitQuery = None) -> Response:
        return answer(await run_db(accountability.report, period=period, unit_id=unit_id), "csv")

    return router
