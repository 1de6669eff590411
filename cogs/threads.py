"""Edits of Recall's messages in threads archived since they were posted.

Discord refuses any edit of a message in an archived thread (400, code 50083). Modify
Channel's thread parameters say what reopening one takes: setting ``archived`` to false on a
thread that is not locked needs Send Messages; anything else (archiving it again, or
unarchiving a locked one) needs Manage Threads.
"""

from __future__ import annotations

import logging

import discord
from discord.http import MultipartParameters

from cogs import ui

log = logging.getLogger(__name__)

#: Discord's error code for an edit of a message in an archived thread
THREAD_ARCHIVED = 50083


class ThreadStaysArchived(Exception):
    """An edit not made: the message is in an archived thread that Recall leaves archived."""

    def __init__(self, thread_id: int, why: str) -> None:
        super().__init__(f"it is in archived thread {thread_id}, left archived: {why}")
        self.thread_id = thread_id


async def edit_reopening_thread(
    bot: discord.Client, channel_id: int, message_id: int, params: MultipartParameters
) -> None:
    """Edit one of Recall's messages with ``params`` (no files); one in a thread archived
    since is edited by unarchiving the thread for the edit and archiving it again. These
    edits take a member who hid or erased their data off the message, which matters more
    than the thread staying archived: where Recall lacks Manage Threads (which archiving it
    again takes, and which the invite does not ask for) the thread is left open after the
    edit, for Discord to archive again once it has been inactive for its archive delay.

    Raises :class:`ThreadStaysArchived`, the edit not made, for a thread a moderator locked
    (it stays closed) and one Discord refuses to unarchive. Discord's other failures are
    raised as they come."""
    try:
        await bot.http.edit_message(channel_id, message_id, params=params)
        return
    except discord.HTTPException as exc:
        if exc.code != THREAD_ARCHIVED:
            raise
        refused = exc
    thread = await bot.fetch_channel(channel_id)
    if not isinstance(thread, discord.Thread):
        raise refused
    archive_again = thread.archived and await _unarchive(thread)
    try:
        await bot.http.edit_message(channel_id, message_id, params=params)
    finally:
        if archive_again:
            await _archive_again(thread)


async def _unarchive(thread: discord.Thread) -> bool:
    """Unarchive a thread for an edit; whether Recall may archive it again after."""
    if thread.locked:
        raise ThreadStaysArchived(thread.id, "it is locked, and only a moderator reopens it")
    try:
        perms = thread.permissions_for(thread.guild.me)
    except discord.ClientException as exc:  # its channel is not known (yet)
        raise ThreadStaysArchived(thread.id, f"its channel is unknown ({exc})") from exc
    try:
        await thread.edit(archived=False)
    except discord.Forbidden as exc:
        raise ThreadStaysArchived(thread.id, f"Discord refused to unarchive it: {exc.text}") from exc
    if perms.manage_threads:
        log.info("thread %s unarchived for an edit of a message in it", thread.id)
        return True
    log.info(
        "thread %s unarchived for an edit of a message in it, and left open: Recall lacks "
        "Manage Threads there, which archiving it again takes; Discord archives it after "
        "%s minutes without activity",
        thread.id,
        thread.auto_archive_duration,
    )
    return False


async def _archive_again(thread: discord.Thread) -> None:
    try:
        await thread.edit(archived=True)
    except ui.DISCORD_TROUBLE as exc:
        # Discord archives it again itself once it has been inactive for a while.
        log.warning("thread %s, unarchived for an edit, could not be archived again: %s", thread.id, exc)
