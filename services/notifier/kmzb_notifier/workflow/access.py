"""Who may see and change what: a principal covers its units and everything below them."""

from __future__ import annotations

from kmzb_common.auth import Principal, Role
from kmzb_common.mongo import run_db

from ..adapters.task_store import TaskStore
from ..domain.errors import RoleForbidden, TaskNotFound, UnitForbidden
from ..domain.model import Task

__all__ = ["Access", "require_role"]


def require_role(principal: Principal, *roles: Role) -> None:
    """RoleForbidden unless the principal has one of ``roles`` (admins have all)."""
    if not principal.has_role(*roles):
        raise RoleForbidden()


class Access:
    """Scope checks over the tasks and the unit chains seen on them."""

    def __init__(self, tasks: TaskStore) -> None:
        self.tasks = tasks

    async def task_for(self, principal: Principal, task_id: str) -> Task:
        """A task the principal may see; TaskNotFound or UnitForbidden otherwise."""
        task = await run_db(self.tasks.get, task_id)
        if task is None:
            raise TaskNotFound()
        if not principal.covers(task.unit_chain):
            raise UnitForbidden()
        return task

    async def require_unit(self, principal: Principal, unit_id: str) -> list[str]:
        """The unit's chain when the principal covers the unit; UnitForbidden otherwise."""
        chain = await run_db(self.tasks.chain_of, unit_id)
        if not principal.covers(chain):
            raise UnitForbidden()
        return chain
