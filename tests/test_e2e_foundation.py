"""End to end: Recall connects to the emulator, syncs, answers /help, and survives a restart."""

import discord
import pytest

pytestmark = pytest.mark.e2e


async def test_connects_syncs_and_help_lists_every_command(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        synced = {c["name"] for c in emulator.commands.global_commands}
        assert {"help", "quiz"} <= synced
        result = await alice.run("/help", channel=guild.general)
        assert result.ephemeral
        embed = result.embed
        assert embed["title"] == "Recall"
        text = "\n".join(f["value"] for f in embed["fields"])
        for command in bot.tree.get_commands():
            assert f"`/{command.name}" in text
        assert "`/quiz` — Ask a question in this channel" in text
        # moderators' commands say so, also where the check sits on the group
        assert "`/qotd setup` — Moderators: schedule a daily question" in text
        assert "`/qotd edit` — Moderators: change some settings of a schedule" in text
        assert "`/settings timezone` — Moderators: show or set" in text
        assert "`/leaderboard show` — Show the leaderboard: 10 members a page" in text
        # the other topic is named, not left to be found in the command's options
        assert embed["footer"]["text"] == (
            "How points are earned, and this server's values: /help topic:scoring"
        )


async def test_restart_on_the_same_database_keeps_everything(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await bot.store.set_guild_settings(guild.id, {"timezone": "Europe/Paris"})
        first = await alice.run("/quiz", channel=guild.general)
        message = first.message
        assert message is not None and message.buttons
    async with recall.running(sync=False) as bot:
        assert (await bot.store.guild_settings(guild.id)) == {"timezone": "Europe/Paris"}
        counts = await bot.store.counts()
        assert counts["posts"] == 1
        assert counts["questions"] >= 40
        # the old message's button answers the new process
        clicked = await alice.click(message, custom_id=message.buttons[0].custom_id)
        assert clicked.ephemeral
        assert clicked.embed is not None


async def test_help_scoring_shows_this_servers_values(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await bot.store.set_guild_settings(
            guild.id, {"scoring.quiz_daily_cap": "12", "scoring.quiz_right": "5"}
        )
        result = await alice.run("/help", channel=guild.general, topic="scoring")
        assert result.ephemeral
        text = result.embed["description"]
        assert "Multiple choice: **5** right, **1** wrong." in text
        assert "At most **12** quiz points a day." in text
        assert "ranked by who reached them first" in text
        assert "• Grades in `/review` earn no points." in text
        assert "Once a question of the day has closed (its answer is public), answering it no longer scores" in text


async def test_help_in_a_dm_does_not_pass_defaults_off_as_a_servers_values(recall, emulator):
    """In a DM there is no server: /help pointed to "this server's values" and its scoring
    topic showed Recall's defaults as if they were the member's server's."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await bot.store.set_guild_settings(guild.id, {"scoring.quiz_right": "5"})
        listed = await alice.run("/help", dm=True)
        assert listed.ephemeral
        assert listed.embed["footer"]["text"] == (
            "How points are earned: /help topic:scoring (in a server, with its values)"
        )
        scoring = await alice.run("/help", dm=True, topic="scoring")
        text = scoring.embed["description"]
        assert "Multiple choice: **3** right, **1** wrong." in text
        assert text.endswith(
            "*These are Recall's default values; a server's moderators may change them. "
            "`/help topic:scoring` in a server shows that server's.*"
        )
        # in the server: its own values, and no such note
        here = (await alice.run("/help", topic="scoring")).embed["description"]
        assert "Multiple choice: **5** right" in here and "default values" not in here


async def test_help_scoring_says_point_not_points_for_one(recall, emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=discord.Permissions(manage_guild=True).value)
    async with recall.running():
        done = await mod.run("/settings scoring", quiz_self=1, quiz_daily_cap=1)
        assert "Scoring updated" in done.embed["title"]
        text = (await mod.run("/help", channel=guild.general, topic="scoring")).embed[
            "description"
        ]
        assert "(Again, Hard, Good or Easy): **1** point. Every" in text
        assert "At most **1** quiz point a day." in text
        done = await mod.run("/settings scoring", quiz_self=2, quiz_daily_cap=30)
        text = (await mod.run("/help", channel=guild.general, topic="scoring")).embed[
            "description"
        ]
        assert "(Again, Hard, Good or Easy): **2** points. Every" in text
        assert "At most **30** quiz points a day." in text


async def test_a_daily_cap_of_thousands_is_grouped_by_thousands(recall, emulator):
    """A daily cap of 10000 read "At most **10000** quiz points a day": /help topic:scoring
    and /settings scoring group it by thousands, as the boards group points."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=discord.Permissions(manage_guild=True).value)
    async with recall.running():
        done = await mod.run("/settings scoring", quiz_daily_cap=10_000)
        assert "/quiz points a day, at most: **10,000** ✏️ (`quiz_daily_cap`)" in (
            done.embed["description"]
        )
        shown = (await mod.run("/settings scoring")).embed["description"]
        assert "/quiz points a day, at most: **10,000** (`quiz_daily_cap`)" in shown
        text = (await mod.run("/help", channel=guild.general, topic="scoring")).embed[
            "description"
        ]
        assert "At most **10,000** quiz points a day." in text


async def test_no_synced_description_is_cut_short(recall, emulator):
    emulator.add_guild("Study group")
    async with recall.running():
        cut = []

        def walk(path: str, items: list) -> None:
            for item in items:
                where = f"{path} {item['name']}".strip()
                if item.get("description", "").endswith("…"):
                    cut.append((where, item["description"]))
                walk(where, item.get("options") or [])

        walk("", emulator.commands.global_commands)
        # discord.py cuts a description past Discord's 100 characters at a word, with "…":
        # members would read half a sentence.
        assert cut == []


async def test_help_scoring_names_the_zone_this_servers_days_follow(recall, emulator):
    """/help topic:scoring said a question scores once a day, "days follow the server's time
    zone", without saying which: a member far from it could not tell when their day, and
    the daily cap, starts again. It names the zone, as soon as a moderator changes it."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=discord.Permissions(manage_guild=True).value)
    async with recall.running():

        async def scoring() -> str:
            shown = await mod.run("/help", channel=guild.general, topic="scoring")
            return shown.embed["description"]

        assert "(days follow the server's time zone, UTC)" in await scoring()
        await (await mod.run("/settings timezone", zone="Asia/Tokyo")).settled()
        assert "(days follow the server's time zone, Asia/Tokyo)" in await scoring()
        await (await mod.run("/settings timezone", zone="Etc/GMT+2")).settled()
        assert "(days follow the server's time zone, Etc/GMT+2 (UTC-2))" in await scoring()
        dm = (await mod.run("/help", dm=True, topic="scoring")).embed["description"]
        assert "(days follow the server's time zone)" in dm


async def test_help_says_where_to_start_in_a_new_server(recall, emulator):
    """A new server's first /help was some forty commands in alphabetical order, /deck create
    first: nothing said that /quiz works at once on the built-in decks, nor that a
    moderator sets up the question of the day. It opens with where to start, each command
    it names being one Recall has."""
    import re

    from cogs.help import command_lines

    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        embed = (await alice.run("/help", channel=guild.general)).embed
        start = embed["fields"][0]
        assert start["name"] == "Start here"
        text = start["value"]
        assert "`/quiz`" in text and "built-in decks" in text
        assert "`/qotd setup`" in text and "question of the day" in text
        assert "Moderators" in text and "Manage Server" in text
        assert "`/settings mod-role`" in text and "`/settings timezone`" in text
        # the zone first: a schedule set up before it keeps UTC
        assert text.index("`/settings timezone`") < text.index("`/qotd setup`"), text
        assert "the zone `/qotd setup` takes" in text, text
        named = set(re.findall(r"`(/[a-z -]+?)`", text))
        known = {name for name, _ in command_lines(bot.tree)}
        assert named and named <= known, named - known
        assert embed["fields"][1]["name"] == "Commands"


async def test_help_in_a_dm_says_the_commands_work_in_a_server(recall, emulator):
    """In a DM, Discord offers no command but /help (every other one is guild-only), yet
    /help there listed them all, starting with "/quiz asks a question in this channel":
    it says they are used in a server Recall is in."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        in_dms = [c.name for c in bot.tree.get_commands() if not c.guild_only]
        assert in_dms == ["help"]
        embed = (await alice.run("/help", dm=True)).embed
        start = embed["fields"][0]
        assert start["name"] == "Start here"
        assert start["value"].startswith(
            "In a DM only `/help` works: the other commands are used in a server Recall is in."
        )
        assert "in this channel" not in start["value"]
        with pytest.raises(Exception, match="not available in DMs"):
            await alice.run("/quiz", dm=True)


def readme_invite() -> tuple[list[str], int]:
    """The permissions the README's invite link asks for: their names and integer."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    invite = re.search(r"and these permissions: (.*?) \(permission integer `(\d+)`\)", readme, re.S)
    assert invite is not None
    integer = int(invite[2])
    assert f"&permissions={integer}`" in readme and "scope=bot+applications.commands" in readme
    return " ".join(invite[1].split()).split(", "), integer


def test_the_readme_invite_asks_for_the_permissions_recall_checks_for():
    from cogs.checks import PERMISSION_NAMES

    names, integer = readme_invite()
    # Mention @everyone is asked for only where a question of the day pings a role
    needed = {attr: name for attr, name in PERMISSION_NAMES.items() if attr != "mention_everyone"}
    assert integer == discord.Permissions(**dict.fromkeys(needed, True)).value
    # Discord's invite page says View Channels where a channel's settings say View Channel
    assert sorted(names) == sorted(
        "View Channels" if n == "View Channel" else n for n in needed.values()
    )


async def test_the_readme_invite_permissions_are_enough_for_a_new_servers_first_day(
    recall, emulator
):
    """The emulator's bot role has more permissions than the README's invite link grants
    (Manage Messages, Manage Threads...), so a need beyond the invite would pass every
    other test. Here the bot has exactly the invite's permissions: a first /quiz with its
    live count, a question of the day with its thread, the board, /stats and the review
    channel all work."""
    _names, integer = readme_invite()
    # @everyone's permissions count for the bot too: here they add none Recall uses beyond
    # View Channel, Send Messages and Read Message History, which the invite grants anyway
    everyone = discord.Permissions(
        view_channel=True, send_messages=True, read_message_history=True,
        use_application_commands=True,
    )
    guild = emulator.add_guild(
        "Study group", bot_permissions=integer, everyone_permissions=everyone.value
    )
    alice = guild.add_member("alice")
    mod = guild.add_member("mod", permissions=discord.Permissions(manage_guild=True).value)
    async with recall.running():
        quiz = await alice.run("/quiz", channel=guild.general)
        assert not quiz.ephemeral and quiz.message is not None
        post = quiz.message
        labels = [b.label for b in post.buttons]
        if "Reveal answer" in labels:
            revealed = await alice.click(post, "Reveal answer")
            graded = await alice.click(revealed.message, "Good")
            assert "You graded yourself **Good**" in graded.embed["description"]
        else:  # a multiple-choice question (the first question is drawn at random)
            picked = await alice.click(post, labels[0])
            assert picked.ephemeral
            assert picked.embed["description"].startswith(("✅ Right", "❌ You chose A"))
        await emulator.wait_until(
            lambda: post.embeds[0]["footer"]["text"].endswith("1 member answered")
        )
        done = await mod.run(
            "/qotd setup",
            channel=guild.general,
            options={"channel": guild.general, "time": "09:00", "timezone": "UTC"},
        )
        assert done.embed["title"] == "Question of the day is set up", done.content
        posted = await (await mod.run("/qotd post-now", channel=guild.general)).wait_for_followup()
        assert posted.content.startswith("Posted [question of the day #1]"), posted.content
        [qotd] = [
            m for m in emulator.channel_messages(guild.general)
            if m.embeds and "Question of the day" in m.embeds[0]["title"]
        ]
        assert qotd.thread is not None
        board = await alice.run("/leaderboard show", channel=guild.general)
        assert not board.ephemeral and "alice" in board.embed["description"]
        stats = await alice.run("/stats", channel=guild.general)
        await stats.wait_for_content()
        assert not stats.ephemeral and stats.message.embeds[0]["title"] == "Stats: alice"
        [picture] = stats.message.attachments  # Attach Files
        assert picture.filename == "weeks.png"
        review = await mod.run("/settings review-channel", options={"channel": guild.general})
        assert "will be posted in" in review.content, review.content


def older_command(emulator, name: str, options: list[dict] | None = None) -> None:
    """Have Discord list an older version's global command ``name``."""
    command: dict = {"name": name, "description": "An older version's command"}
    if options:
        command["options"] = options
    emulator.commands.upsert(None, command)


def completed_option(name: str) -> dict:
    """A text option Discord asks the bot to complete as it is typed."""
    return {"type": 3, "name": name, "description": name, "autocomplete": True}


async def test_a_command_discord_lists_from_an_older_version_says_so(
    recall, emulator, error_logs, caplog
):
    """After an update Discord may still offer a member an older version's commands (global
    commands take a while to show, or were not installed again): a command this version no
    longer has, or `/review` from before it became a group. Such a command was logged as an
    ERROR with a traceback, "error in component ?", and the member was told "Something
    went wrong on our side ... Please try again", which would fail again. The member is told
    the command is an older version's and what brings the current ones; the log says which
    command, as a warning; an autocomplete of one offers nothing rather than failing."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running():
        older_command(emulator, "flashcards", [completed_option("deck")])
        older_command(emulator, "review")
        for command in ("/flashcards", "/review"):
            result = await alice.run(command)
            assert result.ephemeral
            assert result.content.startswith(
                f"`{command}` as Discord offered it is an older version of Recall's, so "
                "nothing was done."
            ), result.content
            assert "`python -m bot sync`" in result.content
        assert await alice.autocomplete("/flashcards", "deck", "fl") == []
        assert error_logs == []
        warned = [r.getMessage() for r in caplog.records if r.name == "bot.client"]
        assert any("/flashcards" in w and "python -m bot sync" in w for w in warned), warned
        assert any("/review" in w for w in warned), warned


async def test_an_autocomplete_of_an_option_this_version_does_not_complete_offers_nothing(
    recall, emulator, error_logs, caplog
):
    """Discord may still show an older version's options of a command this version has: an
    option it no longer has, or no longer completes as it is typed. discord.py runs no error
    handler for that autocomplete: it logged an ERROR with a traceback ("Ignoring exception
    in autocomplete") and left Discord without an answer. It offers nothing now, and the log
    says which command, as a warning, as for running such a command."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running():
        older_command(emulator, "stats", [completed_option("topic")])
        assert await alice.autocomplete("/stats", "topic", "fl") == []
        # a subcommand's option too; and the current ones still complete
        show = {"type": 1, "name": "show", "description": "s", "options": [completed_option("board")]}
        older_command(emulator, "leaderboard", [show])
        assert await alice.autocomplete("/leaderboard show", "board", "q") == []
        assert [c["value"] for c in await alice.autocomplete("/quiz", "deck", "flas")] == ["flask"]
        assert error_logs == []
        warned = [r.getMessage() for r in caplog.records if r.name == "bot.client"]
        assert any("/stats" in w and "python -m bot sync" in w for w in warned), warned
        assert any("/leaderboard show" in w for w in warned), warned
