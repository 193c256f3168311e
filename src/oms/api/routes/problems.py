"""Problems reported with an order (missing, wrong, damaged, never arrived; a parcel lost or
undeliverable), open until customer service resolves them; an open one keeps the order
from completing."""

from __future__ import annotations

from fastapi import APIRouter

from oms.api.deps import ActorDep, IdPath, UowDep
from oms.api.pagination import whole
from oms.api.schemas.common import Page
from oms.api.schemas.problems import ProblemIn, ProblemOut, ResolutionIn
from oms.services import completion, order_problems

router = APIRouter(tags=["customer service"])


@router.get("/orders/{order_id}/problems")
def list_problems(order_id: IdPath, uow: UowDep, actor: ActorDep) -> Page[ProblemOut]:
    """The order's problems, oldest first, open and resolved."""
    return whole(order_problems.problems_of(uow, actor, order_id), ProblemOut.of)


@router.post("/orders/{order_id}/problems", status_code=201)
def record_problem(order_id: IdPath, body: ProblemIn, uow: UowDep, actor: ActorDep) -> ProblemOut:
    """A problem the customer told customer service about; it puts the order in the
    service queue (`why: problem`) and keeps it from completing until resolved."""
    return ProblemOut.of(completion.record_problem(uow, actor, order_id, body.reason, body.note))


@router.post("/orders/{order_id}/problems/{problem_id}/resolve")
def resolve_problem(
    order_id: IdPath, problem_id: IdPath, body: ResolutionIn, uow: UowDep, actor: ActorDep
) -> ProblemOut:
    """Say what was done (refunded, reshipped, explained); 409 if it was resolved already."""
    return ProblemOut.of(
        order_problems.resolve_problem(uow, actor, order_id, problem_id, body.resolution)
    )
