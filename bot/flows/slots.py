"""Where the runner keeps a person's place: a resident's row or a staff member's row."""

from __future__ import annotations

from storage.models import FlowState
from storage.repositories import UnitOfWork

__all__ = ["ResidentSlot", "StaffSlot"]


class ResidentSlot:
    """A resident's flow state (``conversations``), keyed by their random respondent id."""

    def __init__(self, uow: UnitOfWork, respondent_id: str) -> None:
        self._uow, self._id = uow, respondent_id

    async def get(self) -> FlowState | None:
        return await self._uow.conversations.get(self._id)

    async def put(self, state: FlowState) -> None:
        await self._uow.conversations.put(self._id, state)

    async def clear(self) -> None:
        await self._uow.conversations.clear(self._id)


class StaffSlot:
    """An officer's or admin's flow state (``staff_conversations``), by Telegram id."""

    def __init__(self, uow: UnitOfWork, user_id: int) -> None:
        self._uow, self._id = uow, user_id

    async def get(self) -> FlowState | None:
        return await self._uow.staff.flow(self._id)

    async def put(self, state: FlowState) -> None:
        await self._uow.staff.put_flow(self._id, state)

    async def clear(self) -> None:
        await self._uow.staff.clear_flow(self._id)
