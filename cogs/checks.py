"""Who may do what. Moderator commands carry ``default_permissions(manage_guild=True)`` and
this run-time check, so a server that exposes them to everyone still refuses non-moderators.
What the bot itself may do in a channel is named here too, as Discord names it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserError

MOD_REFUSAL = (
    "Only moderators can do this: you need the **Manage Server** permission or this "
    "server's quiz-moderator role (a member with Manage Server sets it with `/settings mod-role`)."
)


async def is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server, or the quiz-moderator role set in this server's settings."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    store = interaction.client.store
    settings = await store.settings_for(interaction.guild_id)
    if settings.mod_role_id is None:
        return False
    return any(role.id == settings.mod_role_id for role in interaction.user.roles)


async def moderator_refusal(interaction: discord.Interaction[Any]) -> str:
    """What a member who is not a moderator is told: the server's quiz-moderator role named
    when one is set (so they know whom to ask), or that the one set was deleted."""
    if interaction.guild_id is None:
        return MOD_REFUSAL
    role_id = (await interaction.client.store.settings_for(interaction.guild_id)).mod_role_id
    if role_id is None:
        return MOD_REFUSAL
    guild = interaction.guild
    if guild is not None and guild.get_role(role_id) is None:
        return (
            "Only moderators can do this: you need the **Manage Server** permission (the "
            "quiz-moderator role set here was deleted; a member with Manage Server sets "
            "another with `/settings mod-role`)."
        )
    return (
        "Only moderators can do this: you need the **Manage Server** permission or the "
        f"<@&{role_id}> role, this server's quiz-moderator role."
    )


async def ensure_moderator(interaction: discord.Interaction[Any]) -> None:
    """For buttons and modals: raise a UserError with the refusal for non-moderators."""
    if not await is_moderator(interaction):
        raise UserError(await moderator_refusal(interaction))


async def moderator_check(interaction: discord.Interaction[Any]) -> bool:
    """True for moderators; otherwise raises a CheckFailure whose text is the refusal."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("This command works in a server, not in DMs.")
    if await is_moderator(interaction):
        return True
    raise app_commands.CheckFailure(await moderator_refusal(interaction))


def moderator_only() -> Any:
    """An app command check: moderators only, with a refusal that says what is needed."""
    return app_commands.check(moderator_check)


#: The channel permissions Recall uses, by ``discord.Permissions`` attribute, with the names
#: Discord shows in a channel's settings.
PERMISSION_NAMES = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
    "mention_everyone": "Mention @everyone, @here, and All Roles",
}

#: where a server's admins give the bot a permission in one channel
GRANT_HOW = "channel settings → Permissions → Recall"


def missing_permissions(perms: discord.Permissions, needed: Iterable[str]) -> list[str]:
    """Discord's names of the ``needed`` permissions (attribute names) ``perms`` lacks."""
    return [PERMISSION_NAMES[attr] for attr in needed if not getattr(perms, attr)]


def cannot_see(channel_id: int | None) -> str:
    """The start of a reply about a channel where Recall lacks View Channel: its reply to a
    command there goes up, but no later edit of it can."""
    return f"Recall can't see <#{channel_id}> (it lacks **View Channel** there)"


def shown_only_to_you(channel_id: int | None, what: str, kinds: str) -> str:
    """Why ``what`` (a board, stats) asked for in a channel Recall can't see came privately:
    posted there, it could not be drawn again without a member who hides later."""
    return (
        f"Shown to you only: {cannot_see(channel_id)}, so {what} posted there could not be "
        "drawn again without a member who hides or erases their data later. A moderator can "
        f"give Recall View Channel ({GRANT_HOW}) to post {kinds} there."
    )
