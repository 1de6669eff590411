"""The loopback Discord emulator driving a small real discord.py bot."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from emulator import CommandError, DiscordEmulator, Guild, Member, Role

pytestmark = pytest.mark.e2e

DECKS = ["flags", "flowers", "french", "physics"]


# ---------------------------------------------------------------------------
# A tiny bot exercising what Recall uses
# ---------------------------------------------------------------------------


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"vote:(?P<qid>\d+):(?P<pick>\w+)"
):
    """A persistent button that survives restarts through its custom_id."""

    def __init__(self, qid: int, pick: str) -> None:
        super().__init__(discord.ui.Button(label=f"Vote {pick}", custom_id=f"vote:{qid}:{pick}"))
        self.qid = qid
        self.pick = pick

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> VoteButton:
        return cls(int(match["qid"]), match["pick"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"{interaction.user.name} voted {self.pick} on {self.qid}", ephemeral=True
        )


class PickView(discord.ui.View):
    @discord.ui.select(custom_id="pick:deck", placeholder="Deck",
                       options=[discord.SelectOption(label=d, value=d) for d in DECKS])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"Picked {select.values[0]}", view=None)


class HintView(discord.ui.View):
    @discord.ui.button(label="More", custom_id="hint:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Hint: it is a number", view=None)


class QuizView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.add_item(VoteButton(7, "yes"))

    @discord.ui.button(label="Reveal answer", custom_id="quiz:reveal")
    async def reveal(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Answer: 42", view=None)

    @discord.ui.button(label="Private hint", custom_id="quiz:hint")
    async def hint(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message("A hint", ephemeral=True, view=HintView())


class AddQuestion(discord.ui.Modal, title="New question"):
    question: discord.ui.TextInput[AddQuestion] = discord.ui.TextInput(
        label="Question", custom_id="question", max_length=200
    )
    answer: discord.ui.TextInput[AddQuestion] = discord.ui.TextInput(
        label="Answer", custom_id="answer", style=discord.TextStyle.paragraph, required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Saved: {self.question.value} -> {self.answer.value or '?'}"
        )


qotd = app_commands.Group(name="qotd", description="Question of the day")
deck_admin = app_commands.Group(name="deck", description="Decks", parent=qotd)


@qotd.command(name="setup", description="Post the question of the day")
@app_commands.describe(channel="Where", hour="UTC hour")
async def qotd_setup(
    interaction: discord.Interaction,
    channel: discord.TextChannel,
    hour: app_commands.Range[int, 0, 23],
    role: discord.Role | None = None,
) -> None:
    who = role.name if role else "everyone"
    await interaction.response.send_message(f"QOTD in #{channel.name} at {hour}h for {who}")


@deck_admin.command(name="import", description="Import a deck file")
async def deck_import(
    interaction: discord.Interaction, file: discord.Attachment, deck: str
) -> None:
    data = await file.read()
    if deck == "heavy":  # two 6 MiB copies: more than Discord takes on one message
        copies = [discord.File(io.BytesIO(bytes(6 << 20)), filename=f"{i}.bin") for i in (1, 2)]
        try:
            await interaction.response.send_message("copies", files=copies)
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"refused: {exc.status} {exc.code}")
        return
    reply = discord.File(fp=io.BytesIO(data.upper()), filename="echo.txt")
    await interaction.response.send_message(
        f"{deck}: {file.filename} {len(data)} bytes: {data.decode()}", file=reply
    )


@app_commands.command(name="quiz", description="Start a quiz")
@app_commands.choices(mode=[app_commands.Choice(name="Easy", value="easy"),
                            app_commands.Choice(name="Hard", value="hard")])
async def quiz(
    interaction: discord.Interaction,
    deck: str,
    count: app_commands.Range[int, 1, 10] = 3,
    mode: app_commands.Choice[str] | None = None,
) -> None:
    embed = discord.Embed(title=f"Quiz: {deck}", description=f"{count} questions")
    await interaction.response.send_message(
        embed=embed, view=QuizView(), content=f"mode={mode.value if mode else 'none'}"
    )


@quiz.autocomplete("deck")
async def quiz_deck(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=d.title(), value=d) for d in DECKS if d.startswith(current)]


class EmuBot(commands.Bot):
    """Fresh per test: commands are added to its own tree."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.errors: list[Exception] = []
        self.ready_count = 0

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause before a re-IDENTIFY in tests."""

    async def setup_hook(self) -> None:
        self.add_view(QuizView())
        self.add_dynamic_items(VoteButton)
        tree = self.tree
        tree.add_command(qotd)
        tree.add_command(quiz)

        @tree.command(name="help", description="Show help")
        async def help_(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                embed=discord.Embed(title="Recall help", description="Study with /quiz"),
                ephemeral=True,
            )

        @tree.command(name="add", description="Add a question")
        async def add(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AddQuestion())

        @tree.command(name="big", description="Too big an embed, then a fallback")
        async def big(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message(
                    embed=discord.Embed(title="x", description="y" * 5000)
                )
            except discord.HTTPException as exc:
                self.errors.append(exc)
                await interaction.response.send_message("That was too long.", ephemeral=True)

        @tree.command(name="slow", description="Answers too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.4)
            await interaction.response.send_message("finally")

        @tree.command(name="post", description="Post in the channel, then confirm")
        async def post(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            assert isinstance(interaction.channel, discord.TextChannel)
            msg = await interaction.channel.send("posted!")
            thread = await msg.create_thread(name="discussion")
            await thread.send("in the thread")
            await interaction.followup.send("done", ephemeral=True)
            await interaction.edit_original_response(content="done!")

        @tree.command(name="dm", description="DM someone")
        async def dm(interaction: discord.Interaction, member: discord.Member) -> None:
            try:
                await member.send("Your daily question is ready")
            except discord.Forbidden as exc:
                await interaction.response.send_message(f"closed ({exc.code})", ephemeral=True)
            else:
                await interaction.response.send_message("sent", ephemeral=True)

        @tree.command(name="pick", description="Pick a deck")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Which deck?", view=PickView())

        @tree.command(name="purge", description="Moderators only")
        @app_commands.default_permissions(manage_messages=True)
        @app_commands.guild_only()
        async def purge(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("purged", ephemeral=True)

        @tree.command(name="burst", description="Post several messages")
        async def burst(interaction: discord.Interaction, count: int) -> None:
            await interaction.response.defer()
            assert isinstance(interaction.channel, discord.TextChannel)
            channel = interaction.channel
            await asyncio.gather(*(channel.send(f"#{i}") for i in range(count)))
            await interaction.followup.send("burst done")

    async def on_ready(self) -> None:
        self.ready_count += 1


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@dataclass
class World:
    emu: DiscordEmulator
    guild: Guild
    alice: Member
    bob: Member
    mods: Role
    bot: EmuBot


def make_world(emu: DiscordEmulator) -> tuple[Guild, Member, Member, Role]:
    guild = emu.add_guild("Study group")
    guild.add_channel("qotd")
    mods = guild.add_role("Quiz mods", permissions=discord.Permissions(manage_guild=True).value)
    alice = guild.add_member("alice", roles=[mods])
    bob = guild.add_member("bob")
    return guild, alice, bob, mods


@pytest.fixture
async def world(emulator: DiscordEmulator) -> AsyncIterator[World]:
    guild, alice, bob, mods = make_world(emulator)
    bot = EmuBot()
    async with emulator.run_client(bot):
        await bot.tree.sync()
        yield World(emulator, guild, alice, bob, mods, bot)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


async def test_ready_with_several_guilds_and_permissions(emulator: DiscordEmulator) -> None:
    guilds = [emulator.add_guild(f"Guild {i}") for i in range(3)]
    qotd_channel = guilds[0].add_channel("qotd")
    bot = EmuBot()
    async with emulator.run_client(bot):
        assert sorted(g.name for g in bot.guilds) == ["Guild 0", "Guild 1", "Guild 2"]
        assert bot.user is not None and bot.user.id == emulator.bot_user.id
        assert bot.application_id == emulator.application_id
        guild = bot.get_guild(guilds[0].id)
        assert guild is not None
        channel = guild.get_channel(qotd_channel.id)
        assert isinstance(channel, discord.TextChannel)
        assert channel.permissions_for(guild.me).send_messages

        qotd_channel.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        channel = guild.get_channel(qotd_channel.id)
        assert isinstance(channel, discord.TextChannel)
        assert not channel.permissions_for(guild.me).send_messages
        with pytest.raises(discord.Forbidden) as info:
            await channel.send("hello")
        assert info.value.code == 50013

        await emulator.delete_channel(qotd_channel)
        assert guild.get_channel(qotd_channel.id) is None
        with pytest.raises(discord.NotFound) as missing:
            params = discord.http.handle_message_parameters(content="x")
            await bot.http.send_message(qotd_channel.id, params=params)
        assert missing.value.code == 10003


async def test_bot_removed_from_a_guild_and_added_back(emulator: DiscordEmulator) -> None:
    """GUILD_DELETE without ``unavailable`` drops the guild from the bot's cache; REST on it
    fails as Discord's does, members there cannot run its commands, and DMs reach only
    users it still shares a guild with, until it is added back (GUILD_CREATE)."""
    guild, alice, bob, _ = make_world(emulator)
    other = emulator.add_guild("Elsewhere")
    other.add_member(bob.user)
    bot = EmuBot()
    removed: list[int] = []

    async def on_guild_remove(g: discord.Guild) -> None:
        removed.append(g.id)

    bot.add_listener(on_guild_remove)
    async with emulator.run_client(bot):
        await bot.tree.sync()
        await emulator.remove_bot(guild)
        assert bot.get_guild(guild.id) is None and removed == [guild.id]
        assert bot.get_guild(other.id) is not None
        params = discord.http.handle_message_parameters(content="x")
        with pytest.raises(discord.Forbidden) as refused:
            await bot.http.send_message(guild.general.id, params=params)
        assert (refused.value.status, refused.value.code) == (403, 50001)
        with pytest.raises(discord.Forbidden) as hidden:
            await bot.http.get_channel(guild.general.id)
        assert hidden.value.code == 50001
        with pytest.raises(discord.NotFound) as unknown:
            await bot.fetch_guild(guild.id)
        assert unknown.value.code == 10004
        with pytest.raises(discord.NotFound):
            await bot.http.get_member(guild.id, alice.id)
        with pytest.raises(CommandError, match="not in Study group"):
            await alice.run("/help")
        guild.add_channel("news")  # nothing reaches the bot of a guild it is not in
        await emulator.settle()
        dm_alice = await bot.create_dm(discord.Object(alice.id))
        with pytest.raises(discord.Forbidden) as no_dm:
            await dm_alice.send("hi")  # alice shares no guild with the bot any more
        assert no_dm.value.code == 50007
        dm_bob = await bot.create_dm(discord.Object(bob.id))
        await dm_bob.send("hi")  # bob is in Elsewhere
        assert [m.content for m in emulator.dms(bob)] == ["hi"]

        await emulator.add_bot(guild)
        back = bot.get_guild(guild.id)
        assert back is not None and not back.unavailable
        assert {c.name for c in back.text_channels} == {"general", "qotd", "news"}
        await bot.http.send_message(guild.general.id, params=params)
        assert emulator.last_message(guild.general).content == "x"
        assert (await alice.run("/help")).acknowledged
        await dm_alice.send("hi again")
        assert [m.content for m in emulator.dms(alice)] == ["hi again"]
    # A fresh start lists only the guilds the bot is in.
    await emulator.remove_bot(other)
    bot = EmuBot()
    async with emulator.run_client(bot):
        assert [g.name for g in bot.guilds] == ["Study group"]


async def test_a_guild_outage_mid_session_and_at_start(emulator: DiscordEmulator) -> None:
    """GUILD_DELETE with ``unavailable: true`` keeps the guild in the bot's cache, marked
    unavailable; REST on it answers 503, its commands cannot be run and its events are held
    back until GUILD_CREATE ends the outage. A guild down when the bot starts is listed in
    READY but has no GUILD_CREATE: the client is ready without it, knowing only its id."""
    guild, alice, _, _ = make_world(emulator)
    other = emulator.add_guild("Elsewhere")
    bot = EmuBot()
    events: list[tuple[str, int]] = []

    async def on_guild_unavailable(g: discord.Guild) -> None:
        events.append(("unavailable", g.id))

    async def on_guild_available(g: discord.Guild) -> None:
        events.append(("available", g.id))

    bot.add_listener(on_guild_unavailable)
    bot.add_listener(on_guild_available)
    params = discord.http.handle_message_parameters(content="x")
    async with emulator.run_client(bot):
        await bot.tree.sync()
        events.clear()  # each guild's at start
        await emulator.start_outage(guild)
        down = bot.get_guild(guild.id)
        assert down is not None and down.unavailable and events == [("unavailable", guild.id)]
        assert down.name == "Study group" and down.get_channel(guild.general.id) is not None
        with pytest.raises(discord.DiscordServerError) as refused:
            await bot.http.send_message(guild.general.id, params=params)
        assert refused.value.status == 503
        with pytest.raises(discord.DiscordServerError):
            await bot.fetch_guild(guild.id)
        with pytest.raises(discord.DiscordServerError):
            await bot.http.get_member(guild.id, alice.id)
        with pytest.raises(CommandError, match="Study group is unavailable"):
            await alice.run("/help")
        await bot.http.send_message(other.general.id, params=params)  # other guilds go on
        guild.add_channel("news")  # held back with the rest of the guild
        await emulator.settle()
        assert "news" not in {c.name for c in down.text_channels}

        await emulator.end_outage(guild)
        back = bot.get_guild(guild.id)
        assert back is down and not back.unavailable
        assert events[-1] == ("available", guild.id)
        assert {c.name for c in back.text_channels} == {"general", "qotd", "news"}
        await bot.http.send_message(guild.general.id, params=params)
        assert (await alice.run("/help")).acknowledged

    await emulator.start_outage(guild)
    bot = EmuBot()
    async with emulator.run_client(bot):
        down = bot.get_guild(guild.id)
        assert down is not None and down.unavailable
        assert down.name == "" and down.text_channels == [] and down.me is None
        assert not bot.get_guild(other.id).unavailable  # type: ignore[union-attr]
        with pytest.raises(CommandError, match="Study group is unavailable"):
            await alice.run("/help")
        await emulator.end_outage(guild)
        back = bot.get_guild(guild.id)
        assert back is not None and not back.unavailable and back.name == "Study group"
        assert back.get_channel(guild.general.id) is not None
        assert (await alice.run("/help")).acknowledged


async def test_wrong_token_fails_login(emulator: DiscordEmulator) -> None:
    with pytest.raises(discord.LoginFailure):
        async with emulator.run_client(EmuBot(), token="nope"):
            pass


async def test_sync_and_schema_checks(world: World) -> None:
    emu, alice = world.emu, world.alice
    names = sorted(c["name"] for c in emu.commands.global_commands)
    assert names == ["add", "big", "burst", "dm", "help", "pick", "post", "purge", "qotd",
                     "quiz", "slow"]
    qotd_channel = world.guild.channel("qotd")

    # ``channel=`` says where the command is typed; an option named channel goes in options.
    where = {"channel": qotd_channel}
    r = await alice.run("/qotd setup", channel=qotd_channel, options=where, hour=9,
                        role=world.mods)
    assert r.content == "QOTD in #qotd at 9h for Quiz mods"
    assert not r.ephemeral

    with pytest.raises(CommandError, match="required option 'hour'"):
        await alice.run("/qotd setup", options=where)
    with pytest.raises(CommandError, match="above max_value"):
        await alice.run("/qotd setup", options=where, hour=24)
    with pytest.raises(CommandError, match="not one of the choices"):
        await alice.run("/quiz", deck="flags", mode="medium")
    with pytest.raises(CommandError, match="needs a subcommand"):
        await alice.run("/qotd")
    with pytest.raises(CommandError, match="expected integer"):
        await alice.run("/quiz", deck="flags", count="3")
    with pytest.raises(CommandError, match="not synced"):
        await alice.run("/nope")

    r = await alice.run("/quiz", deck="flags", count=5, mode="hard")
    assert r.content == "mode=hard"
    assert r.embed is not None and r.embed["title"] == "Quiz: flags"
    assert r.message is not None and r.message in emu.channel_messages(world.guild.general)


async def test_button_click_and_ephemeral_click(world: World) -> None:
    alice, bob = world.alice, world.bob
    r = await alice.run("/quiz", deck="flags")
    msg = r.message
    assert msg is not None
    assert [b.label for b in msg.buttons] == ["Reveal answer", "Private hint", "Vote yes"]

    hint = await bob.click(msg, "Private hint")
    assert hint.ephemeral and hint.content == "A hint"
    assert hint.message is not None
    with pytest.raises(CommandError, match="cannot see this ephemeral"):
        await alice.click(hint.message, "More")
    more = await bob.click(hint.message, "More")
    assert more.content == "Hint: it is a number" and more.message is hint.message
    assert hint.message.edits[0]["content"] == "A hint"

    vote = await alice.click(msg, custom_id="vote:7:yes")
    assert vote.content == "alice voted yes on 7" and vote.ephemeral

    revealed = await alice.click(msg, "Reveal answer")
    assert revealed.message is msg
    assert msg.content == "Answer: 42" and msg.components == []
    with pytest.raises(CommandError, match="no button"):
        await alice.click(msg, "Reveal answer")


async def test_modal_round_trip(world: World) -> None:
    r = await world.alice.run("/add")
    assert r.modal is not None and r.modal.title == "New question"
    with pytest.raises(CommandError, match="was not shown to bob"):
        await world.bob.submit(r.modal, question="?")
    with pytest.raises(CommandError, match="longer than 200"):
        await world.alice.submit(r.modal, question="x" * 201)
    with pytest.raises(CommandError, match="is required"):
        await world.alice.submit(r.modal, answer="only the answer")
    done = await world.alice.submit(r.modal, Question="Capital of France?", answer="Paris")
    assert done.content == "Saved: Capital of France? -> Paris"


async def test_autocomplete(world: World) -> None:
    choices = await world.alice.autocomplete("/quiz", "deck", "fl")
    assert choices == [{"name": "Flags", "value": "flags"}, {"name": "Flowers", "value": "flowers"}]
    assert await world.alice.autocomplete("/quiz", "deck", "zzz") == []


async def test_attachments_both_ways(world: World) -> None:
    upload = world.emu.attachment("deck.yaml", b"q: what?\na: that")
    r = await world.alice.run("/qotd deck import", file=upload, deck="misc")
    assert r.content == "misc: deck.yaml 16 bytes: q: what?\na: that"
    assert r.message is not None
    echo = r.message.attachments[0]
    assert echo.filename == "echo.txt" and echo.data == b"Q: WHAT?\nA: THAT"
    async with aiohttp.ClientSession() as session, session.get(echo.url) as resp:
        assert resp.status == 200 and await resp.read() == b"Q: WHAT?\nA: THAT"


async def test_uploads_over_discords_limit_are_refused(world: World) -> None:
    upload = world.emu.attachment("deck.yaml", b"q")
    r = await world.alice.run("/qotd deck import", file=upload, deck="heavy")
    assert r.content == "refused: 413 40005"
    assert [v.code for v in world.emu.violations] == [40005]
    world.emu.violations.clear()


async def test_embed_over_limit_rejected_and_recorded(world: World) -> None:
    r = await world.alice.run("/big")
    assert r.content == "That was too long." and r.ephemeral
    assert len(world.bot.errors) == 1
    err = world.bot.errors[0]
    assert isinstance(err, discord.HTTPException) and err.code == 50035
    assert [v.code for v in world.emu.violations] == [50035]
    assert "embeds.0.description" in str(err)
    world.emu.violations.clear()


async def test_double_ack_rejected(world: World) -> None:
    r = await world.alice.run("/help")
    assert r.ephemeral and r.embed is not None and r.embed["title"] == "Recall help"
    rec = r.interaction
    url = f"{world.emu.api_base}/interactions/{rec.id}/{rec.token}/callback"
    async with aiohttp.ClientSession() as session, session.post(
        url, json={"type": 4, "data": {"content": "again"}}
    ) as resp:
        assert resp.status == 400
        assert resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["code"] == 40060
    assert [v.code for v in world.emu.violations] == [40060]
    world.emu.violations.clear()


async def test_late_ack_rejected(world: World, error_logs: list[logging.LogRecord]) -> None:
    world.emu.ack_deadline = 0.2
    r = await world.alice.run("/slow")
    assert r.error_codes == [10062] and not r.acknowledged
    await world.emu.wait_until(lambda: error_logs)
    assert "slow" in error_logs[0].getMessage()
    error_logs.clear()
    world.emu.violations.clear()


async def test_rate_limit_retried_and_posted_once(world: World) -> None:
    emu = world.emu
    emu.faults.add("POST", r"^/channels/\d+/messages$", status=429, retry_after=0.2)
    r = await world.alice.run("/post")
    assert r.ephemeral and r.deferred
    await r.wait_for(lambda r: r.content == "done!")
    assert len(r.followups) == 1 and r.message is not None
    assert [e["content"] for e in r.message.edits] == ["", "done"]
    posted = [m for m in emu.channel_messages(world.guild.general) if m.content == "posted!"]
    assert len(posted) == 1
    statuses = [q.status for q in emu.requests if q.method == "POST"
                and re.fullmatch(r"/channels/\d+/messages", q.path)]
    assert statuses[:2] == [429, 200]
    thread = posted[0].thread
    assert thread is not None and thread.name == "discussion"
    assert [m.content for m in emu.channel_messages(thread)] == ["in the thread"]


async def test_server_error_retried(world: World) -> None:
    world.emu.faults.add("POST", r"^/channels/\d+/messages$", status=500)
    channel = world.bot.get_channel(world.guild.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after a 500")
    assert [m.content for m in world.emu.channel_messages(world.guild.general)] == ["after a 500"]
    assert world.emu.faults.fired == [("POST", f"/channels/{channel.id}/messages", 500)]


async def test_gateway_drop_resume_then_interaction(world: World) -> None:
    emu = world.emu
    await emu.drop_gateway()
    assert emu.resumes == 1 and emu.identifies == 1
    # Dropped again and the interaction sent while the bot is away: replayed on RESUME.
    await emu.drop_gateway(wait=False)
    r = await world.alice.run("/help")
    assert r.acknowledged
    assert emu.resumes == 2 and emu.identifies == 1


async def test_invalid_session_forces_identify(world: World) -> None:
    emu = world.emu
    emu.invalid_session_next = True
    await emu.drop_gateway()
    assert emu.identifies == 2 and emu.resumes == 0
    await emu.wait_until(lambda: world.bot.ready_count == 2)
    r = await world.alice.run("/help")
    assert r.acknowledged


async def test_dms_open_and_closed(world: World) -> None:
    r = await world.alice.run("/dm", member=world.bob)
    assert r.content == "sent"
    assert [m.content for m in world.emu.dms(world.bob)] == ["Your daily question is ready"]
    world.emu.close_dms(world.bob)
    r = await world.alice.run("/dm", member=world.bob)
    assert r.content == "closed (50007)"


async def test_unknown_route_is_a_violation(world: World) -> None:
    with pytest.raises(discord.NotFound):
        await world.bot.http.request(discord.http.Route("GET", "/nowhere/{x}", x=1))
    assert world.emu.violations[0].path == "/nowhere/1"
    world.emu.violations.clear()


async def test_restart_handles_click_on_old_message(emulator: DiscordEmulator) -> None:
    _guild, alice, bob, _ = make_world(emulator)
    first = EmuBot()
    async with emulator.run_client(first):
        await first.tree.sync()
        r = await alice.run("/quiz", deck="flags")
    assert r.message is not None
    second = EmuBot()
    async with emulator.run_client(second):
        vote = await bob.click(r.message, "Vote yes")
        assert vote.content == "bob voted yes on 7"
        reveal = await bob.click(r.message, "Reveal answer")
        assert reveal.message is not None and reveal.message.content == "Answer: 42"


async def test_select_dm_and_permission_gated_commands(world: World) -> None:
    r = await world.bob.run("/pick")
    assert r.message is not None and r.message.selects[0].placeholder == "Deck"
    with pytest.raises(CommandError, match="not among the options"):
        await world.bob.select(r.message, ["chemistry"])
    picked = await world.bob.select(r.message, ["physics"])
    assert picked.content == "Picked physics"

    in_dm = await world.bob.run("/help", dm=True)
    assert in_dm.ephemeral and in_dm.message is not None
    assert in_dm.message.channel is world.emu.dm_channel(world.bob.user)
    with pytest.raises(CommandError, match="not available in DMs"):
        await world.bob.run("/purge", dm=True)
    with pytest.raises(CommandError, match="cannot see /purge"):
        await world.bob.run("/purge")
    mod = world.guild.add_member(
        "carol", permissions=discord.Permissions(manage_messages=True).value
    )
    assert (await mod.run("/purge")).content == "purged"


async def test_expired_token_rejected(world: World) -> None:
    r = await world.alice.run("/help")
    world.emu.advance_time(15 * 60 + 1)
    rec = r.interaction
    url = f"{world.emu.api_base}/webhooks/{world.emu.application_id}/{rec.token}/messages/@original"
    async with aiohttp.ClientSession() as session, session.patch(
        url, json={"content": "too late"}
    ) as resp:
        assert resp.status == 401 and (await resp.json())["code"] == 50027
    assert [v.code for v in world.emu.violations] == [50027]
    world.emu.violations.clear()


async def test_global_rate_limit(world: World) -> None:
    world.emu.global_rate_limit = 5
    r = await world.alice.run("/burst", count=8)
    await r.wait_for(lambda r: r.content == "burst done", within=5)
    contents = [m.content for m in world.emu.channel_messages(world.guild.general)]
    assert sorted(c for c in contents if c.startswith("#")) == [f"#{i}" for i in range(8)]
    assert any(q.status == 429 for q in world.emu.requests)


async def test_global_rate_limit_is_discords(world: World) -> None:
    """At most ``global_rate_limit`` requests in any second; a 429 carries the global headers
    and no route bucket; interaction endpoints are not bound by it; discord.py waits."""
    emu = world.emu
    emu.global_rate_limit = 5
    start = len(emu.requests)
    r = await world.alice.run("/burst", count=12)
    await r.wait_for(lambda r: r.content == "burst done", within=10)
    contents = [m.content for m in emu.channel_messages(world.guild.general)]
    assert sorted(c for c in contents if c.startswith("#")) == sorted(f"#{i}" for i in range(12))
    bound = [q for q in emu.requests[start:] if q.status != 429
             and not q.path.startswith(("/interactions/", f"/webhooks/{emu.application_id}/"))]
    for i, q in enumerate(bound):
        assert sum(1 for o in bound[i:] if o.at - q.at < 1.0) <= 5
    url = f"{emu.api_base}/users/@me"
    headers = {"Authorization": f"Bot {emu.bot_token}"}
    async with aiohttp.ClientSession() as session:
        answers = []
        for _ in range(7):
            async with session.get(url, headers=headers) as resp:
                answers.append((resp.status, dict(resp.headers), await resp.json()))
    limited = [(h, body) for status, h, body in answers if status == 429]
    assert limited
    h, body = limited[0]
    assert body["global"] is True and 0 < body["retry_after"] <= 1.0
    assert h["X-RateLimit-Global"] == "true" and h["X-RateLimit-Scope"] == "global"
    assert "Via" in h and "X-RateLimit-Bucket" not in h and "X-RateLimit-Remaining" not in h


async def test_thread_archived_state_follows_discords_permission_rules(world: World) -> None:
    """Modify Channel on a thread: unarchiving one that is not locked needs Send Messages;
    archiving, and unarchiving a locked one, need Manage Threads; an archived thread takes
    no other change, nor an edit of its messages, until it is unarchived."""
    emu, http, general = world.emu, world.bot.http, world.guild.general
    thread = emu._make_thread(general, {"name": "study"}, 11)
    await emu.settle()
    channel = world.bot.get_channel(thread.id)
    assert isinstance(channel, discord.Thread)
    posted = await channel.send("in the thread")
    thread.set_thread_state(archived=True)
    with pytest.raises(discord.HTTPException) as refused:
        await posted.edit(content="edited")
    assert (refused.value.status, refused.value.code) == (400, 50083)
    with pytest.raises(discord.HTTPException) as refused:
        await http.edit_channel(thread.id, name="renamed")
    assert (refused.value.status, refused.value.code) == (400, 50083)

    # Send Messages but not Manage Threads: it opens, and does not close again.
    general.revoke_bot_permission(discord.Permissions(manage_threads=True).value)
    await http.edit_channel(thread.id, archived=False)
    assert not thread.archived
    with pytest.raises(discord.Forbidden):
        await http.edit_channel(thread.id, archived=True)
    assert not thread.archived
    # neither Send Messages nor Manage Threads: it stays archived
    thread.set_thread_state(archived=True)
    general.revoke_bot_permission(discord.Permissions(send_messages=True).value)
    with pytest.raises(discord.Forbidden):
        await http.edit_channel(thread.id, archived=False)
    assert thread.archived
    # locked: Send Messages is not enough
    general.set_permissions(world.guild.me)  # the overwrite removed: both granted again
    general.revoke_bot_permission(discord.Permissions(manage_threads=True).value)
    thread.set_thread_state(archived=True, locked=True)
    with pytest.raises(discord.Forbidden):
        await http.edit_channel(thread.id, archived=False)
    assert thread.archived and thread.locked

    # Manage Threads: a locked thread unarchives, and archives again
    general.set_permissions(world.guild.me)
    await http.edit_channel(thread.id, archived=False)
    assert not thread.archived and thread.locked
    await http.edit_channel(thread.id, archived=True)
    assert thread.archived
    # the bot hears of each change (THREAD_UPDATE): an unarchived thread is back in its cache
    await http.edit_channel(thread.id, archived=False)
    await emu.wait_until(lambda: isinstance(world.bot.get_channel(thread.id), discord.Thread))
