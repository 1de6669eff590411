"""/settings: what a server's moderators can change. One group, a subcommand per setting."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import RecallBot
from bot.errors import UserError
from bot.guild_settings import GuildSettings, ScoringRules
from bot.schedule import parse_zone, zone_label
from bot.store import Store
from bot.text import count, grouped
from cogs import ui
from cogs.checks import GRANT_HOW, missing_permissions, moderator_only

SCORING_LABELS: dict[str, str] = {
    "quiz_self": "/quiz self-graded",
    "quiz_right": "/quiz multiple choice, right",
    "quiz_wrong": "/quiz multiple choice, wrong",
    "quiz_daily_cap": "/quiz points a day, at most",
    "qotd_self": "QOTD self-graded",
    "qotd_right": "QOTD multiple choice, right",
    "qotd_wrong": "QOTD multiple choice, wrong",
}

#: the point values of a /quiz answer, which the daily cap limits
QUIZ_POINTS = ("quiz_self", "quiz_right", "quiz_wrong")


def scoring_embed(
    rules: ScoringRules, title: str, changed: set[str] | None = None
) -> discord.Embed:
    lines = []
    for key, label in SCORING_LABELS.items():
        mark = " ✏️" if changed and key in changed else ""
        lines.append(f"{label}: **{grouped(getattr(rules, key))}**{mark} (`{key}`)")
    if rules.quiz_daily_cap == 0:
        # Many bots read a cap of 0 as no cap: here it is no /quiz points at all.
        lines.append(
            "\n⚠️ With a daily cap of 0, `/quiz` answers earn no points (the question of the "
            "day still does). For as good as no cap, set `quiz_daily_cap` to 10000."
        )
    cap = rules.quiz_daily_cap
    if over := [k for k in QUIZ_POINTS if cap and getattr(rules, k) > cap]:
        # The cap cuts any one answer down to it: the value shown would never be earned.
        named = " and ".join(f"`{k}` ({grouped(getattr(rules, k))})" for k in over)
        lines.append(
            f"\n⚠️ {named} {'is' if len(over) == 1 else 'are'} more than the daily cap of "
            f"{grouped(cap)}: such a `/quiz` answer earns {grouped(cap)}, and no more `/quiz` "
            f"points that day. Raise `quiz_daily_cap` or lower {'it' if len(over) == 1 else 'them'}."
        )
    embed = ui.info_embed(title, "\n".join(lines), colour=ui.OK if changed else ui.BRAND)
    embed.set_footer(text="Change a value with /settings scoring and its option.")
    return embed


def hidden_from_moderators(tree: app_commands.CommandTree[Any]) -> list[str]:
    """The commands Discord shows only to members with Manage Server (their default
    permissions) until a server admin allows a role in the server's Integrations."""
    return sorted(
        f"`/{cmd.name}`"
        for cmd in tree.get_commands(type=discord.AppCommandType.chat_input)
        if isinstance(cmd, app_commands.Command | app_commands.Group)
        and cmd.default_permissions is not None
        and cmd.default_permissions.manage_guild
    )


#: what a review post needs: without Embed Links Discord drops its embed, and moderators
#: would get buttons with nothing to review above them
REVIEW_POST_NEEDS = ("view_channel", "send_messages", "embed_links")


def review_post_missing(channel: discord.TextChannel) -> list[str]:
    """The permissions Recall lacks in ``channel`` for a review post, as Discord names them."""
    me = channel.guild.me
    if me is None:
        return []
    return missing_permissions(channel.permissions_for(me), REVIEW_POST_NEEDS)


#: schedules a new server zone names one by one (the rest are counted)
NAMED_SCHEDULES = 3


async def _schedules_elsewhere(store: Store, guild_id: int, zone: str) -> str:
    """The server's question-of-the-day schedules in another zone than its new one: they
    keep theirs (one set up with the server's zone left out too), so the moderator hears
    which, at what time, and how to move one ("" when there is none)."""
    others = [s for s in await store.schedules_for_guild(guild_id) if s.spec.zone != zone]
    if not others:
        return ""
    named = [
        f"#{s.id} in <#{s.channel_id}> {'posts ' if i == 0 else ''}at {s.spec.time_text} "
        f"{zone_label(s.spec.zone)}"
        for i, s in enumerate(others[:NAMED_SCHEDULES])
    ]
    if len(others) > NAMED_SCHEDULES:
        named.append(f"{len(others) - NAMED_SCHEDULES} more")
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    target = "it" if len(others) == 1 else "one"
    return (
        f" Questions of the day keep the zone they were set up with: schedule {listed}. "
        f"`/qotd edit schedule:{others[0].id} timezone:{zone}` moves {target} to this zone."
    )


class SettingsGroup(app_commands.Group):
    """Moderators only. Add a setting as another subcommand with ``@moderator_only()``."""

    def __init__(self, bot: RecallBot):
        super().__init__(
            name="settings",
            description="Moderators: this server's Recall settings.",
            guild_only=True,
            default_permissions=discord.Permissions(manage_guild=True),
        )
        self.bot = bot

    @app_commands.command(
        name="timezone",
        description="Moderators: show or set the server's time zone (days, weeks and months follow it).",
    )
    @app_commands.describe(zone="An IANA time zone such as Europe/London (leave out to see it)")
    @moderator_only()
    async def timezone(
        self, interaction: discord.Interaction[Any], zone: str | None = None
    ) -> None:
        assert interaction.guild_id is not None
        store = self.bot.store
        if zone is None:
            current = await store.settings_for(interaction.guild_id)
            await interaction.response.send_message(
                f"This server's time zone is **{zone_label(current.timezone)}**. Days, weeks "
                "(from Monday) and months on the boards follow it.",
                ephemeral=True,
            )
            return
        try:
            name = parse_zone(zone).key
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if name == (await store.settings_for(interaction.guild_id)).timezone:
            await interaction.response.send_message(
                f"The time zone is already **{zone_label(name)}**; nothing changed.",
                ephemeral=True,
            )
            return
        # Moving every member's reminder grows with the server: answered first (privately),
        # so that Discord's 3 s do not run out; the reply then fills in the answer.
        await interaction.response.defer(ephemeral=True, thinking=True)
        moved = await store.set_server_timezone(interaction.guild_id, name)
        followers = (
            f" {count(moved, 'member')} with no time zone of their own now "
            f"get{'s' if moved == 1 else ''} review reminders at {'their' if moved != 1 else 'the'} "
            "same local time in this zone."
            if moved
            else ""
        )
        kept = await _schedules_elsewhere(store, interaction.guild_id, name)
        await interaction.followup.send(
            f"Time zone set to **{zone_label(name)}**. New grades count toward days, weeks and "
            "months in this zone; points already earned stay where they were counted."
            + followers
            + kept,
            ephemeral=True,
        )

    @timezone.autocomplete("zone")
    @moderator_only()  # no choices for a member the command refuses
    async def zone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return ui.zone_options(current)

    @app_commands.command(
        name="scoring",
        description="Moderators: show or change point values and the daily /quiz cap.",
    )
    @app_commands.describe(
        quiz_self="Points for a self-graded /quiz answer",
        quiz_right="Points for a right multiple-choice /quiz answer",
        quiz_wrong="Points for a wrong multiple-choice /quiz answer",
        quiz_daily_cap="Most /quiz points a member can earn in a day (0: /quiz earns no points)",
        qotd_self="Points for a self-graded question of the day",
        qotd_right="Points for a right multiple-choice question of the day",
        qotd_wrong="Points for a wrong multiple-choice question of the day",
    )
    @moderator_only()
    async def scoring(
        self,
        interaction: discord.Interaction[Any],
        quiz_self: app_commands.Range[int, 0, 100] | None = None,
        quiz_right: app_commands.Range[int, 0, 100] | None = None,
        quiz_wrong: app_commands.Range[int, 0, 100] | None = None,
        quiz_daily_cap: app_commands.Range[int, 0, 10_000] | None = None,
        qotd_self: app_commands.Range[int, 0, 100] | None = None,
        qotd_right: app_commands.Range[int, 0, 100] | None = None,
        qotd_wrong: app_commands.Range[int, 0, 100] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        store = self.bot.store
        given = {
            "quiz_self": quiz_self,
            "quiz_right": quiz_right,
            "quiz_wrong": quiz_wrong,
            "quiz_daily_cap": quiz_daily_cap,
            "qotd_self": qotd_self,
            "qotd_right": qotd_right,
            "qotd_wrong": qotd_wrong,
        }
        current = (await store.settings_for(interaction.guild_id)).scoring
        changes = current.changes(given)
        if changes:
            rows = GuildSettings.scoring_rows(current, **changes)
            await store.set_guild_settings(interaction.guild_id, dict(rows))
            rules = (await store.settings_for(interaction.guild_id)).scoring
            embed = scoring_embed(rules, "Scoring updated", set(changes))
            embed.description = (embed.description or "") + (
                "\n\nNew values apply to grades from now on; points already earned stay."
            )
        elif any(v is not None for v in given.values()):
            embed = scoring_embed(current, "Scoring unchanged")
            embed.description = "Nothing changed: these values were already set.\n\n" + (
                embed.description or ""
            )
        else:
            embed = scoring_embed(current, "Scoring in this server")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="mod-role",
        description="Moderators: show the quiz-moderator role; members with Manage Server change it.",
    )
    @app_commands.describe(
        role="Members with this role may run the moderator commands",
        clear="Remove the quiz-moderator role (only Manage Server counts then)",
    )
    @moderator_only()
    async def mod_role(
        self,
        interaction: discord.Interaction[Any],
        role: discord.Role | None = None,
        clear: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        store = self.bot.store
        if role is None and not clear:
            current = (await store.settings_for(interaction.guild_id)).mod_role_id
            if not current:
                text = "No quiz-moderator role is set: only members with Manage Server moderate."
            elif interaction.guild is not None and interaction.guild.get_role(current) is None:
                # Nobody can hold a deleted role: only Manage Server counts until another is set.
                text = (
                    "The quiz-moderator role was deleted from this server, so only members "
                    "with Manage Server moderate: a member with Manage Server sets another "
                    "with `/settings mod-role role:`."
                )
            else:
                text = f"The quiz-moderator role is <@&{current}>."
            await interaction.response.send_message(text, ephemeral=True)
            return
        # The role hands out moderator rights, so only Manage Server may change it.
        if not (interaction.permissions.manage_guild or interaction.permissions.administrator):
            raise UserError(
                "Only members with the **Manage Server** permission can change the quiz-moderator role."
            )
        if role is not None and clear:
            raise UserError("Choose a role or `clear`, not both.")
        if role is not None and role.is_default():
            raise UserError(
                "@everyone can't be the quiz-moderator role; choose a role members are given."
            )
        if role is not None and role.is_bot_managed():
            raise UserError(
                f"{role.mention} belongs to a bot, and no member can be given it; choose a "
                "role members are given."
            )
        current = (await store.settings_for(interaction.guild_id)).mod_role_id
        if (role.id if role else None) == current:
            await interaction.response.send_message(
                f"{role.mention} is already the quiz-moderator role; nothing changed."
                if role
                else "No quiz-moderator role is set; nothing changed.",
                ephemeral=True,
            )
            return
        value = None if clear else str(role.id if role else "")
        await store.set_guild_settings(interaction.guild_id, {"mod_role_id": value})
        if role is None:
            text = "Quiz-moderator role cleared: only members with Manage Server moderate now."
        else:
            text = f"Members with {role.mention} can now run the moderator commands."
            hidden = hidden_from_moderators(self.bot.tree)
            if hidden:
                text += (
                    f" Discord still shows {' and '.join(hidden)} only to members with Manage "
                    f"Server until a server admin lets {role.mention} use them: Server "
                    "Settings → Integrations → Recall."
                )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="review-channel",
        description="Moderators: show or set the channel where suggested questions are reviewed.",
    )
    @app_commands.describe(
        channel="Where suggestions are posted with Approve and Reject buttons",
        clear="Stop taking suggestions",
    )
    @moderator_only()
    async def review_channel(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | None = None,
        clear: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        store = self.bot.store
        if channel is None and not clear:
            current = (await store.settings_for(interaction.guild_id)).review_channel_id
            if not current:
                text = "No review channel is set, so `/suggest` is closed."
            else:
                # Where a failed suggestion sends the moderators: say what is wrong, if
                # anything, rather than a channel that no longer works.
                found = interaction.guild.get_channel(current) if interaction.guild else None
                if not isinstance(found, discord.TextChannel):
                    text = (
                        f"Suggestions are set to be reviewed in <#{current}>, but that channel "
                        "no longer exists (or I can't see it), so no suggestion can be sent: "
                        "choose another with `/settings review-channel channel:`, or `clear` "
                        "to close `/suggest`."
                    )
                elif missing := review_post_missing(found):
                    text = (
                        f"Suggestions are reviewed in {found.mention}, but I can't post there, "
                        f"so no suggestion can be sent: give me **{', '.join(missing)}** there "
                        f"({GRANT_HOW}), or choose another channel."
                    )
                else:
                    text = f"Suggestions are reviewed in {found.mention}."
            await interaction.response.send_message(text, ephemeral=True)
            return
        if channel is not None and clear:
            raise UserError("Choose a channel or `clear`, not both.")
        if channel is not None and (missing := review_post_missing(channel)):
            raise UserError(
                f"I can't post in {channel.mention}: give me **{', '.join(missing)}** there "
                f"({GRANT_HOW}), or choose another channel."
            )
        current = (await store.settings_for(interaction.guild_id)).review_channel_id
        if (channel.id if channel else None) == current:
            await interaction.response.send_message(
                f"Suggestions are already reviewed in {channel.mention}; nothing changed."
                if channel
                else "No review channel is set; nothing changed.",
                ephemeral=True,
            )
            return
        value = None if clear else str(channel.id if channel else "")
        await store.set_guild_settings(interaction.guild_id, {"review_channel_id": value})
        text = (
            "Review channel cleared: `/suggest` is closed until one is set."
            if clear
            else f"Suggestions will be posted in {channel.mention if channel else '?'} for review."
        )
        await interaction.response.send_message(text, ephemeral=True)


class Settings(commands.Cog):
    def __init__(self, bot: RecallBot):
        self.bot = bot
        self.group = SettingsGroup(bot)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)


async def setup(bot: RecallBot) -> None:
    await bot.add_cog(Settings(bot))
