"""Queries on uploads waiting to be published (remembered across a crash)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import PendingUpload


async def remember_upload(
    session: AsyncSession, *, chat_id: int, file_id: str, file_name: str, mime_type: str | None
) -> PendingUpload:
    upload = PendingUpload(
        chat_id=chat_id, file_id=file_id[:255], file_name=file_name[:255], mime_type=mime_type
    )
    session.add(upload)
    await session.flush()
    return upload


async def pending_uploads(session: AsyncSession) -> Sequence[PendingUpload]:
    """Uploads a crash left unpublished, oldest first."""
    return (await session.exec(select(PendingUpload).order_by(col(PendingUpload.id)))).all()


async def forget_upload(session: AsyncSession, *, upload_id: int) -> None:
    upload = await session.get(PendingUpload, upload_id)
    if upload is not None:
        await session.delete(upload)
