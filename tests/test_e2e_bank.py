"""The question bank end to end: /deck, /question (add, edit, show, list, remove, import,
export) and /settings mod-role, through the real discord.py client and the emulator."""

from __future__ import annotations

import asyncio
import re

import discord
import pytest

from bot.exporters import MESSAGE_FILES_BYTES_MAX, MESSAGE_FILES_MAX
from bot.importers import IMPORT_MAX_BYTES, IMPORT_MAX_QUESTIONS, parse_import
from bot.questions import WHY_MAX, Difficulty, Question
from cogs.decks import LIST_PAGE

pytestmark = pytest.mark.e2e
#: what heads the `why` given with a command in the text of a form given back
WHY_HEADING = "Why it is asked (the command's why option)"

MANAGE = discord.Permissions(manage_guild=True).value

DECK_YAML = """\
questions:
  - prompt: What does the application context hold?
    answer: current_app and g, for the length of a request or CLI command.
    key_points: [current_app, g]
    tags: [contexts]
    difficulty: medium
  - prompt: Which converter matches a path with slashes?
    answer: path
    options:
      - text: string
      - text: path
        correct: true
    tags: [routing]
    difficulty: easy
  - prompt: Why use an application factory?
    answer: To build several apps with their own config, for tests in particular.
    tags: [contexts]
"""

FORM = {
    "prompt": "What is a blueprint for?",
    "answer": "A blueprint groups routes, templates and static files that an app registers.",
    "key_points": "- groups routes\n- registered on the app\n- can have a url_prefix",
    "tags": "blueprints, Structure",
    "options": "",
}


def texts(result) -> str:
    """Everything a member saw in a reply: content and embeds."""
    out = []
    for message in result.messages:
        out.append(message.content or "")
        out.append(str(message.embeds))
    return "\n".join(out)


async def setup_guild(emulator):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    return guild, mod, alice


async def make_deck(mod, name: str = "Team Flask", description: str = "Our own questions"):
    return await mod.run("/deck create", name=name, description=description)


async def deck_list(member) -> str:
    """Every page of `/deck list` as one text: the built-in decks alone take more than one."""
    page = await member.run("/deck list")
    body = page.embed["description"]
    while page.message.buttons and not page.message.buttons[-1].disabled:  # Next ▶
        page = await member.click(page.message, "Next ▶")
        body += "\n" + page.message.embeds[0]["description"]
    return body


async def drafts_dropped(bot) -> None:
    """Wait until the `why` kept for the forms sent is dropped: once a form is answered
    (the bot must not be stopped before, as it does it then)."""
    for _ in range(100):
        if not await bot.store._fetchall("SELECT * FROM form_drafts"):
            break
        await asyncio.sleep(0.05)
    assert await bot.store._fetchall("SELECT * FROM form_drafts") == []


async def test_deck_lifecycle_create_list_info_disable_remove(recall, emulator):
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        created = await make_deck(mod)
        assert created.ephemeral
        assert "**Team Flask** (`team-flask`) is ready" in created.embed["description"]
        again = await mod.run("/deck create", name="team flask!")
        assert "already a deck called **Team Flask**" in again.content
        builtin_clash = await mod.run("/deck create", name="Flask")
        # "Flask" is not the built-in deck's name: what the two share is the slug.
        assert builtin_clash.content == (
            "A deck called **Flask** would have the slug `flask`, which the built-in deck "
            "**Flask interview prep** has. Choose another name."
        ), builtin_clash.content

        body = await deck_list(alice)
        assert "**Flask interview prep** (`flask`)" in body and "built-in" in body
        assert "**Team Flask** (`team-flask`) · 0 questions · custom" in body

        choices = await alice.autocomplete("/deck info", "deck", "team")
        assert [c["value"] for c in choices] == ["team-flask"]
        info = await alice.run("/deck info", deck="flask")
        fields = {f["name"]: f["value"] for f in info.embed["fields"]}
        assert fields["Kind"] == "built-in (read-only)"
        assert fields["In this server"] == "on"
        assert fields["Questions"].startswith("72 (22 multiple choice)")

        off = await mod.run("/deck disable", deck="flask")
        assert off.embed["title"] == "Flask interview prep is off"
        assert (await alice.run("/deck info", deck="flask")).embed["fields"][2][
            "value"
        ] == "**off**"
        enable_choices = await mod.autocomplete("/deck enable", "deck", "")
        assert [c["value"] for c in enable_choices] == ["flask"]
        quiz = await alice.run("/quiz", deck="flask")
        assert "switched off" in quiz.content
        await mod.run("/deck enable", deck="flask")
        assert (await bot.store.decks_for_guild(guild.id))[0].enabled

        builtin_remove = await mod.run("/deck remove", deck="flask")
        assert "can't be removed" in builtin_remove.content
        asked = await mod.run("/deck remove", deck="team-flask")
        assert [b.label for b in asked.message.buttons] == ["Remove deck", "Keep it"]
        kept = await mod.click(asked.message, "Keep it")
        assert kept.message.embeds[0]["title"] == "Kept"
        asked = await mod.run("/deck remove", deck="team-flask")
        # An empty deck: no "Its 0 questions will no longer be asked", no export to make.
        assert asked.embed["description"] == (
            "It has no questions, so nothing stops being asked; grades, boards and stats of "
            "any it had are kept."
        )
        removed = await mod.click(asked.message, "Remove deck")
        assert removed.message.embeds[0]["title"] == "Deck removed"
        assert removed.message.embeds[0]["description"] == (
            "**Team Flask** is removed; it had no questions."
        )
        row = await bot.store._fetchone("SELECT removed_at FROM decks WHERE name = 'Team Flask'")
        assert row is not None and row[0] is not None  # kept, marked removed
        assert "Team Flask" not in await deck_list(alice)
        # The name is free again.
        assert "is ready" in (await make_deck(mod)).embed["description"]


async def test_plain_member_refused_and_mod_role_allowed(recall, emulator):
    guild, mod, alice = await setup_guild(emulator)
    role = guild.add_role("Quiz mods")
    carol = guild.add_member("carol", roles=[role])
    async with recall.running():
        for command, options in (
            ("/deck create", {"name": "Mine"}),
            ("/deck disable", {"deck": "flask"}),
            ("/question add", {"deck": "flask"}),
            ("/question remove", {"id": 1}),
        ):
            refused = await alice.run(command, **options)
            assert refused.ephemeral
            assert "Only moderators can do this" in refused.content, command
        # Exposed to everyone by an admin: /settings is still refused at run time.
        guild.expose_command("settings")
        refused = await alice.run("/settings mod-role", role=role)
        assert "Only moderators can do this" in refused.content
        # ...naming who sets the quiz-moderator role: Manage Server, not its holders (below)
        assert "a member with Manage Server sets it with `/settings mod-role`" in refused.content
        refused = await carol.run("/deck create", name="Carol's deck")
        assert "Only moderators" in refused.content

        set_role = await mod.run("/settings mod-role", role=role)
        assert "can now run the moderator commands" in set_role.content
        # The role runs /qotd and /settings only once an admin lets it see them in Discord.
        assert set_role.content.endswith(
            "Discord still shows `/qotd` and `/settings` only to members with Manage Server "
            f"until a server admin lets <@&{role.id}> use them: Server Settings → "
            "Integrations → Recall."
        ), set_role.content
        shown = await carol.run("/settings mod-role")
        assert f"<@&{role.id}>" in shown.content
        # A quiz moderator may not hand out the role itself.
        changed = await carol.run("/settings mod-role", clear=True)
        assert "Only members with the **Manage Server** permission" in changed.content
        allowed = await carol.run("/deck create", name="Carol's deck")
        assert "is ready" in allowed.embed["description"]

        cleared = await mod.run("/settings mod-role", clear=True)
        assert "cleared" in cleared.content
        again = await carol.run("/deck create", name="Another")
        assert "Only moderators" in again.content


async def test_a_bots_own_role_is_refused_as_the_mod_role(recall, emulator):
    """A bot's role (Recall's own, say) is held by that bot alone: as the quiz-moderator
    role it would make no member a moderator, so it is refused and nothing is stored."""
    guild, mod, _alice = await setup_guild(emulator)
    [bot_role] = [r for r in guild.roles.values() if r.bot_id is not None]
    async with recall.running() as bot:
        refused = await mod.run("/settings mod-role", role=bot_role)
        assert refused.ephemeral
        assert refused.content == (
            f"<@&{bot_role.id}> belongs to a bot, and no member can be given it; choose a "
            "role members are given."
        )
        assert (await bot.store.settings_for(guild.id)).mod_role_id is None


async def test_a_deleted_mod_role_is_shown_as_deleted(recall, emulator):
    """The quiz-moderator role deleted in Discord: nobody holds it, so only Manage Server
    moderates; /settings mod-role says so instead of showing the role as set."""
    guild, mod, _alice = await setup_guild(emulator)
    role = guild.add_role("Quiz mods")
    carol = guild.add_member("carol", roles=[role])
    async with recall.running():
        await mod.run("/settings mod-role", role=role)
        assert "is ready" in (await carol.run("/deck create", name="Mine")).embed["description"]
        guild.delete_role(role)
        await emulator.settle()
        assert "Only moderators" in (await carol.run("/deck create", name="Other")).content
        shown = await mod.run("/settings mod-role")
        assert shown.ephemeral
        assert shown.content.startswith("The quiz-moderator role was deleted"), shown.content
        assert "`/settings mod-role role:`" in shown.content


async def test_moderator_commands_offer_their_choices_to_moderators_only(recall, emulator):
    """The moderator commands of /deck and /question are listed for everyone, and Discord
    asks Recall for their choices as a member types: a plain member was offered the
    server's decks to remove and its removed questions to restore, every one of which was
    then refused. They are offered nothing; a member with
    the quiz-moderator role is offered the choices, and everyone still gets those of the
    commands anyone may run."""
    guild, mod, alice = await setup_guild(emulator)
    role = guild.add_role("Quiz mods")
    carol = guild.add_member("carol", roles=[role])
    async with recall.running() as bot:
        await bot.store.set_guild_settings(guild.id, {"mod_role_id": str(role.id)})
        deck = await bot.store.create_custom_deck(guild.id, "Team", "Our questions", None)
        kept = await bot.store.add_question(
            deck.id, Question(id="kept", prompt="Which question stays?", answer="This one.")
        )
        gone = await bot.store.add_question(
            deck.id, Question(id="gone", prompt="Which question was removed?", answer="This.")
        )
        assert await bot.store.remove_question(gone)
        await mod.run("/deck disable", deck="flask")
        typed = {
            ("/deck remove", "deck"): "team",
            ("/deck edit", "deck"): "team",
            ("/deck enable", "deck"): "flask",
            ("/deck disable", "deck"): "python",
            ("/question add", "deck"): "team",
            ("/question import", "deck"): "team",
            ("/question edit", "id"): "stays",
            ("/question remove", "id"): "stays",
            ("/question restore", "id"): "removed",
        }
        for (command, option), text in typed.items():
            assert await alice.autocomplete(command, option, text) == [], command
            assert await carol.autocomplete(command, option, text), command
            assert await mod.autocomplete(command, option, text), command
        # the commands anyone may run still offer their choices to anyone
        shown = await alice.autocomplete("/question show", "id", "which question stays")
        assert kept in [c["value"] for c in shown]
        assert await alice.autocomplete("/deck info", "deck", "team")
        assert await alice.autocomplete("/suggest question", "deck", "team")


async def test_add_show_list_edit_remove_by_modal(recall, emulator):
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        opened = await mod.run("/question add", deck="team-flask", difficulty="easy")
        modal = opened.modal
        assert modal is not None and len(modal.text_inputs) == 5
        assert all(len(t.label or "") <= 45 for t in modal.text_inputs)
        added = await mod.submit(modal, **FORM)
        assert added.ephemeral
        assert "Added question **#" in added.content
        qid = int(added.content.split("#")[1].split("*")[0])
        sq = await bot.store.question(qid)
        assert sq is not None
        q = sq.question
        assert q.prompt == FORM["prompt"]
        assert q.key_points == ["groups routes", "registered on the app", "can have a url_prefix"]
        assert q.tags == ["blueprints", "structure"]
        assert q.difficulty.value == "easy"
        assert q.id.startswith("what-is-a-blueprint-for-")

        # The same question again (loosely) is refused.
        dup = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            **{**FORM, "prompt": "what is a BLUEPRINT for"},
        )
        assert "already has that question" in dup.content

        # A multiple-choice question with a mistake names the field, then succeeds.
        bad = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="Which method registers a blueprint?",
            answer="app.register_blueprint",
            options="app.add_blueprint\napp.register_blueprint",
        )
        assert "Options: mark exactly one option as right" in bad.content
        good = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="Which method registers a blueprint?",
            answer="app.register_blueprint",
            options="app.add_blueprint\n* app.register_blueprint\n\\*star",
        )
        mc_id = int(good.content.split("#")[1].split("*")[0])
        mc = (await bot.store.question(mc_id)).question
        assert [(o.text, o.correct) for o in mc.options] == [
            ("app.add_blueprint", False),
            ("app.register_blueprint", True),
            ("*star", False),
        ]

        # Anyone can read: show, list, autocomplete.
        shown = await alice.run("/question show", id=mc_id)
        assert shown.ephemeral
        assert "**B.** app.register_blueprint ✅" in shown.embed["description"]
        assert any(e.get("title") == "Model answer" for e in shown.embeds)
        choices = await alice.autocomplete("/question show", "id", "blueprint")
        assert {qid, mc_id} <= {c["value"] for c in choices}
        assert any(c["name"].startswith(f"#{qid} · What is a blueprint for?") for c in choices)
        listed = await alice.run("/question list", deck="team-flask")
        assert listed.embed["description"].count("`#") == 2
        by_tag = await alice.run("/question list", tag="blueprints")
        assert f"`#{qid}`" in by_tag.embed["description"]
        assert f"`#{mc_id}`" not in by_tag.embed["description"]
        tags = await alice.autocomplete("/question list", "tag", "blue", deck="team-flask")
        assert [c["value"] for c in tags] == ["blueprints"]

        # Edit: the modal comes filled in; the id and history stay.
        opened = await mod.run("/question edit", id=mc_id)
        values = {t.custom_id: t.value for t in opened.modal.text_inputs}
        assert values == {
            "prompt": mc.prompt,
            "answer": mc.answer,
            "key_points": None,
            "tags": None,
            "options": "app.add_blueprint\n*app.register_blueprint\n\\*star",
        }
        edited = await mod.submit(
            opened.modal,
            prompt=mc.prompt,
            answer="Call app.register_blueprint(bp).",
            options=values["options"],
        )
        assert f"Saved question **#{mc_id}**" in edited.content
        after = (await bot.store.question(mc_id)).question
        assert after.answer == "Call app.register_blueprint(bp)." and after.id == mc.id

        # Built-in questions are read-only, with a way forward.
        builtin_id = (
            (await bot.store.search_questions(guild.id, search="converter")).questions[0].id
        )
        refused = await mod.run("/question edit", id=builtin_id)
        assert "built-in decks are read-only" in refused.content
        assert "/question export" in refused.content

        # Remove asks first; the row stays, marked removed; show still works.
        asked = await mod.run("/question remove", id=qid)
        assert [b.label for b in asked.message.buttons] == ["Remove", "Keep it"]
        forged = await alice.forge_click(asked.message, asked.message.buttons[0].custom_id)
        assert "Only the moderator who asked" in forged.content
        done = await mod.click(asked.message, "Remove")
        assert done.message.embeds[0]["title"] == "Question removed"
        row = await bot.store._fetchone("SELECT removed_at FROM questions WHERE id = ?", (qid,))
        assert row[0] is not None
        elsewhere = emulator.add_guild("Other server").add_member("eve")
        hidden = await elsewhere.run("/question show", id=mc_id)
        assert f"There is no question #{mc_id} here" in hidden.content
        still = await alice.run("/question show", id=qid)
        assert "removed" in still.embed["footer"]["text"]
        listed = await alice.run("/question list", deck="team-flask")
        assert f"`#{qid}`" not in listed.embed["description"]
        again = await mod.run("/question remove", id=qid)
        assert "has been removed" in again.content


async def test_list_pages(recall, emulator):
    _guild, _mod, alice = await setup_guild(emulator)
    async with recall.running():
        first = await alice.run("/question list", deck="flask")
        assert first.embed["footer"]["text"].startswith("Page 1/8 · 72 questions")
        assert [b.label for b in first.message.buttons] == ["◀ Previous", "Next ▶"]
        assert first.message.buttons[0].disabled
        second = await alice.click(first.message, "Next ▶")
        assert second.message.embeds[0]["footer"]["text"].startswith("Page 2/8")
        searched = await alice.run("/question list", search="blueprint")
        assert "matching “blueprint”" in searched.embed["title"]
        assert "`#" in searched.embed["description"]


async def test_deck_list_pages_through_every_deck(recall, emulator):
    """/deck list showed what fitted one embed and then "… and 51 more", with no way to see
    those decks; it now pages, 15 decks a page, and its buttons work after a restart."""
    guild, _mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        built_in = len(await bot.store.decks_for_guild(guild.id, include_disabled=True))
        one = await alice.run("/deck list")
        if built_in <= LIST_PAGE:
            assert one.message.buttons == []  # the built-in decks: one page, no buttons
        else:
            assert one.embed["footer"]["text"].startswith(f"Page 1/{-(-built_in // LIST_PAGE)}")
        total = built_in + 40
        pages = -(-total // LIST_PAGE)
        assert pages >= 3
        for i in range(40):
            await bot.store.create_custom_deck(guild.id, f"Course {i:02d} of the long year", "", None)
        first = await alice.run("/deck list")
        assert first.embed["footer"]["text"].startswith(
            f"Page 1/{pages} · {total} decks · /deck info"
        )
        assert [b.label for b in first.message.buttons] == ["◀ Previous", "Next ▶"]
        assert first.message.buttons[0].disabled and not first.message.buttons[1].disabled
        assert len(first.embed["description"].splitlines()) == LIST_PAGE
        assert "more" not in first.embed["description"]
    async with recall.running(sync=False):
        seen = first.embed["description"]
        page = first
        for n in range(2, pages + 1):
            page = await alice.click(page.message, "Next ▶")
            embed = page.message.embeds[0]
            assert embed["footer"]["text"].startswith(f"Page {n}/{pages}")
            seen += "\n" + embed["description"]
        assert page.message.buttons[1].disabled
        assert all(f"`course-{i:02d}-of-the-long-year`" in seen for i in range(40))
        assert len(seen.splitlines()) == total
        back = await alice.click(page.message, "◀ Previous")
        assert back.message.embeds[0]["footer"]["text"].startswith(f"Page {pages - 1}/{pages}")


async def test_deck_list_of_one_page_has_no_page_buttons(recall, emulator, monkeypatch):
    """A server whose decks fit one page gets no page buttons and no page count. The
    built-in decks alone may take more than a page, so the store hands back one page of them."""
    _guild, _mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        decks_for_guild = bot.store.decks_for_guild

        async def one_page(guild_id, **kwargs):
            return (await decks_for_guild(guild_id, **kwargs))[:LIST_PAGE]

        monkeypatch.setattr(bot.store, "decks_for_guild", one_page)
        one = await alice.run("/deck list")
        assert one.message.buttons == []
        assert one.embed["footer"]["text"].startswith("/deck info deck:…")
        assert len(one.embed["description"].splitlines()) == LIST_PAGE


async def test_deck_list_and_choices_sort_names_as_people_read_them(recall, emulator):
    """Decks were sorted by the bytes of their names: "Beta" before "alpha", and "Éclair"
    after "zeta", in /deck list and in autocomplete."""
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running():
        for name in ("zeta", "Éclair", "alpha", "Beta"):
            await make_deck(mod, name=name, description="")
        body = await deck_list(alice)
        custom = [line.split("**")[1] for line in body.splitlines() if "· custom" in line]
        assert custom == ["alpha", "Beta", "Éclair", "zeta"], custom
        choices = await mod.autocomplete("/deck remove", "deck", "")
        assert [c["value"] for c in choices] == ["alpha", "beta", "eclair", "zeta"]


async def test_import_preview_restart_and_confirm(recall, emulator):
    guild, mod, _alice = await setup_guild(emulator)
    other_mod = guild.add_member("other", permissions=MANAGE)
    async with recall.running() as bot:
        await make_deck(mod)
        # One question is in the deck already: reported and skipped.
        await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="why use an Application Factory?",
            answer="Fresh apps per call.",
        )
        file = emulator.attachment("deck.yaml", DECK_YAML.encode())
        preview = await mod.run("/question import", file=file, deck="team-flask")
        msg = await preview.wait_for_followup()
        assert msg.ephemeral
        embed = msg.embeds[0]
        assert "**2 questions** from **deck.yaml** (yaml)" in embed["description"]
        assert "1 of them multiple choice" in embed["description"]
        assert (
            "already in the deck, skipped: Why use an application factory?" in embed["description"]
        )
        assert [f["name"] for f in embed["fields"]] == [
            "1. What does the application context hold?",
            "2. Which converter matches a path with slashes?",
        ]
        assert [b.label for b in msg.buttons] == ["Import", "Cancel"]
        before = (await bot.store.counts())["questions"]

    # A restart between preview and Import: the session is in the database.
    async with recall.running() as bot:
        forged = await other_mod.forge_click(msg, msg.buttons[0].custom_id)
        assert "Only the moderator who uploaded this file" in forged.content
        assert (await bot.store.counts())["questions"] == before
        done = await mod.click(msg, "Import")
        assert "Imported **2 questions**" in done.message.embeds[0]["description"]
        assert (await bot.store.counts())["questions"] == before + 2
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "team-flask")
        assert deck.questions == 3
        assert msg.buttons == []  # the preview became the result


async def test_import_cancel_refusals_and_limits(recall, emulator):
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        before = await bot.store.counts()
        preview = await mod.run(
            "/question import",
            file=emulator.attachment("d.yaml", DECK_YAML.encode()),
            deck="team-flask",
        )
        msg = await preview.wait_for_followup()
        cancelled = await mod.click(msg, "Cancel")
        assert cancelled.message.embeds[0]["title"] == "Import cancelled"
        assert (await bot.store.counts())["questions"] == before["questions"]

        # Errors name the line.
        broken = DECK_YAML.replace("difficulty: easy", "difficulty: trivial")
        refused = await mod.run(
            "/question import",
            file=emulator.attachment("d.yaml", broken.encode()),
            deck="team-flask",
        )
        text = (await refused.wait_for_followup()).content
        assert text.startswith("Nothing was imported: **d.yaml** has 1 problem")
        assert "line 14" in text and "difficulty" in text

        big = emulator.attachment("big.csv", b"question,answer\n" + b"x" * IMPORT_MAX_BYTES)
        too_big = await mod.run("/question import", file=big, deck="team-flask")
        assert too_big.content.startswith("Nothing was imported: **big.csv** is 1,048,592 bytes")
        assert "an import may be at most 1,048,576 bytes (1.0 MiB)" in too_big.content

        into_builtin = await mod.run(
            "/question import",
            file=emulator.attachment("d.yaml", DECK_YAML.encode()),
            deck="flask",
        )
        assert "built-in decks are read-only" in into_builtin.content
        refused_member = await alice.run(
            "/question import",
            file=emulator.attachment("d.yaml", DECK_YAML.encode()),
            deck="team-flask",
        )
        assert "Only moderators" in refused_member.content
        assert await bot.store.counts() == before


async def test_export_every_format_round_trips(recall, emulator):
    guild, _mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        for fmt, ext in (("yaml", "yaml"), ("json", "json"), ("csv", "csv"), ("markdown", "md")):
            out = await alice.run("/question export", deck="flask", format=fmt)
            await out.wait_for_followup()
            assert out.ephemeral and len(out.messages) == 1
            [attachment] = out.message.attachments
            assert attachment.filename == f"flask.{ext}"
            result = parse_import(attachment.data, attachment.filename)
            assert result.errors == []
            flask = {d.slug: d for d in await bot.store.decks_for_guild(guild.id)}["flask"]
            stored = [sq.question for sq in await bot.store.questions_in_deck(flask.id)]
            assert result.questions == stored


async def test_list_search_finds_non_ascii_text_typed_exactly(recall, emulator):
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running():
        await mod.run("/deck create", name="Langues")
        opened = await mod.run("/question add", deck="langues")
        added = await mod.submit(
            opened.modal, prompt="Élan vital: what does Bergson mean?", answer="A life force."
        )
        assert "Added question" in added.content
        # The member types the word exactly as it is written in the question.
        listed = await alice.run("/question list", search="Élan")
        assert "Élan vital" in listed.embed["description"], listed.embed["description"]
        for typed in ("élan", "ELAN", "vital: what"):  # case and accents do not count
            listed = await alice.run("/question list", search=typed)
            assert "Élan vital" in listed.embed["description"], typed
        ids = await alice.autocomplete("/question show", "id", "elan")
        assert len(ids) == 1 and "Élan vital" in ids[0]["name"]


async def test_list_tag_typed_with_space_matches_like_quiz(recall, emulator):
    _guild, _mod, alice = await setup_guild(emulator)
    async with recall.running():
        # /quiz accepts "Background Jobs" for the stored tag background-jobs ...
        choices = await alice.autocomplete("/quiz", "tag", "Background Jobs")
        assert [c["value"] for c in choices] == ["background-jobs"]
        # ... /question list does not.
        listed = await alice.run("/question list", tag="Background Jobs")
        assert "No questions match" not in listed.embed["description"], listed.embed
        # ... and "#Background-Jobs", as /quiz does, in the command and its autocomplete
        hashtag = await alice.run("/question list", tag="#Background-Jobs")
        assert "No questions match" not in hashtag.embed["description"], hashtag.embed
        offered = await alice.autocomplete("/question list", "tag", "#background-j")
        assert [c["value"] for c in offered] == ["background-jobs"]


async def test_review_post_shows_every_key_point_of_a_suggestion(recall, emulator):
    guild, mod, alice = await setup_guild(emulator)
    review = guild.add_channel("review")
    async with recall.running():
        await mod.run("/deck create", name="Team Flask")
        await mod.run("/settings review-channel", options={"channel": review})
        points = [f"point {n}: " + "x" * 180 for n in range(1, 9)]  # 8 points, within limits
        opened = await alice.run("/suggest question")
        sent = await alice.submit(
            opened.modal,
            prompt="What does flask.g hold?",
            answer="Data for one application context.",
            key_points="\n".join(points),
        )
        assert "waiting for review" in sent.content
        [posted] = emulator.channel_messages(review)
        shown = "\n".join(f["value"] for f in posted.embeds[0]["fields"])
        # The moderator approves what the post shows: the last key points are silently missing.
        assert "point 8:" in shown, shown


async def test_deck_info_of_a_switched_off_deck_still_lists_its_tags(recall, emulator):
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running():
        on = await alice.run("/deck info", deck="flask")
        assert "Tags" in [f["name"] for f in on.embed["fields"]]
        await mod.run("/deck disable", deck="flask")
        off = await alice.run("/deck info", deck="flask")
        fields = {f["name"]: f["value"] for f in off.embed["fields"]}
        assert fields["Questions"].startswith("72 (22 multiple choice)")
        assert "Tags" in fields, fields  # the same 72 questions, but their tags are gone


async def test_editing_only_the_answer_keeps_a_multi_line_key_point(recall, emulator):
    from bot.questions import Question

    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        deck = await bot.store.create_custom_deck(guild.id, "Team Flask", "", mod.id)
        # CSV (indented continuation lines), Markdown (<br>) and YAML imports all carry
        # key points with a line break.
        q = Question(
            id="factory",
            prompt="Why use an application factory?",
            answer="To build apps with their own config.",
            key_points=["config per app:\ntests get their own", "no global app"],
        )
        qid = await bot.store.add_question(deck.id, q)
        opened = await mod.run("/question edit", id=qid)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        saved = await mod.submit(opened.modal, **{**values, "answer": "Fresh apps per call."})
        assert "Saved question" in saved.content
        after = (await bot.store.question(qid)).question
        assert after.answer == "Fresh apps per call."
        assert after.key_points == q.key_points, after.key_points


async def test_a_form_sent_after_a_restart_gives_back_what_was_typed(recall, emulator):
    """Forms live in the bot's memory: one open while the bot restarts cannot be saved, but
    its sender is told so, privately, with what they typed attached to paste in again."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    typed = {
        "prompt": "What is a blueprint for?",
        "answer": "A blueprint groups routes, templates and static files an app registers.",
        "key_points": "groups routes\nregistered on the app",
        "tags": "blueprints",
        "options": "",
    }
    async with recall.running():
        await mod.run("/deck create", name="Team Flask", description="Ours")
        opened = await mod.run("/question add", deck="team-flask")
        assert opened.modal is not None and opened.modal.custom_id.startswith("rf:")
        # In the same run the form is saved as usual.
        again = await mod.run("/question add", deck="team-flask")
        saved = await mod.submit(again.modal, **{**typed, "prompt": "What is a view?"})
        assert saved.content.startswith("Added question")
    async with recall.running(sync=False) as bot:
        sent = await mod.submit(opened.modal, **typed)
        assert sent.ephemeral
        assert sent.content.startswith("Recall restarted while this form was open")
        [attached] = sent.message.attachments
        text = attached.data.decode()
        assert typed["answer"] in text and "## Key points (one a line)\ngroups routes\nregistered on" in text
        rows = await bot.store._fetchall(
            "SELECT q.prompt FROM questions q JOIN decks d ON d.id = q.deck_id WHERE d.builtin = 0"
        )
        assert [r[0] for r in rows] == ["What is a view?"]  # only the form sent before


async def test_a_form_sent_after_a_restart_names_the_command_with_its_options(recall, emulator):
    """The form has no field for the difficulty given with /question add or /question edit
    (or /suggest question, through the same form): a form sent after a restart names the command to run again with the
    options it was opened with, so that nothing given is lost; a form handled as usual
    leaves nothing behind in the database."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        saved = await mod.submit(
            (await mod.run("/question add", deck="team-flask", difficulty="hard")).modal, **FORM
        )
        assert saved.content.startswith("Added question"), saved.content
        qid = int(saved.content.split("#")[1].split("*")[0])
        await drafts_dropped(bot)
        opened_add = await mod.run("/question add", deck="team-flask", difficulty="hard")
        opened_edit = await mod.run("/question edit", id=qid, difficulty="easy")
    async with recall.running(sync=False) as bot:
        sent = await mod.submit(opened_add.modal, **{**FORM, "prompt": "What is a view?"})
        assert sent.ephemeral and sent.content.startswith("Recall restarted while this form")
        assert (
            "run `/question add deck:team-flask difficulty:hard` again and paste it into the "
            "form."
        ) in sent.content, sent.content
        values = {t.custom_id: t.value or "" for t in opened_edit.modal.text_inputs}
        sent = await mod.submit(opened_edit.modal, **values)
        assert f"run `/question edit id:{qid} difficulty:easy` again" in sent.content, sent.content
        assert await bot.store._fetchall("SELECT * FROM form_drafts") == []


async def test_a_form_sent_after_a_restart_gives_back_the_why_typed_with_the_command(
    recall, emulator
):
    """The form has no field for "why it is asked": it is typed with /question add or edit.
    A form open while the bot restarts gives it back with the rest of what was typed; a form
    handled as usual leaves nothing of it behind in the database."""
    guild, mod, _alice = await setup_guild(emulator)
    add_why = "To see whether they split a large app."
    edit_why = "Blueprints show up in every app."
    async with recall.running() as bot:
        await make_deck(mod)
        saved = await mod.submit(
            (await mod.run("/question add", deck="team-flask", why="Kept till sent.")).modal,
            **FORM,
        )
        assert saved.content.startswith("Added question"), saved.content
        qid = int(saved.content.split("#")[1].split("*")[0])
        await drafts_dropped(bot)
        opened_add = await mod.run("/question add", deck="team-flask", why=add_why)
        opened_edit = await mod.run("/question edit", id=qid, why=edit_why)
        opened_plain = await mod.run("/question add", deck="team-flask")
        assert all(len(o.modal.custom_id) <= 100 for o in (opened_add, opened_edit, opened_plain))
    async with recall.running(sync=False) as bot:
        sent = await mod.submit(opened_add.modal, **{**FORM, "prompt": "What is a view?"})
        assert sent.ephemeral
        assert sent.content.startswith("Recall restarted while this form was open"), sent.content
        assert "the `why` you gave the command" in sent.content
        [attached] = sent.message.attachments
        text = attached.data.decode()
        assert "## Question\nWhat is a view?" in text and f"## {WHY_HEADING}\n{add_why}" in text

        values = {t.custom_id: t.value or "" for t in opened_edit.modal.text_inputs}
        sent = await mod.submit(opened_edit.modal, **{**values, "answer": "Routes, grouped."})
        [attached] = sent.message.attachments
        text = attached.data.decode()
        assert "## Model answer\nRoutes, grouped." in text and f"## {WHY_HEADING}\n{edit_why}" in text

        sent = await mod.submit(opened_plain.modal, **FORM)  # no why given: none comes back
        assert "the `why`" not in sent.content
        assert WHY_HEADING not in sent.message.attachments[0].data.decode()

        assert await bot.store._fetchall("SELECT * FROM form_drafts") == []
        assert (await bot.store.question(qid)).question.why == "Kept till sent."
        assert (await bot.store.search_questions(guild.id, custom_only=True)).total == 1


async def test_decks_whose_names_fold_to_the_same_slug_can_both_be_created(recall, emulator):
    """A slug keeps only ASCII letters and digits: every Cyrillic or CJK name folds to the
    same one. Two decks with different names both get made, each with a slug of its own,
    and the value autocomplete offers for each leads to that deck."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        first = await mod.run("/deck create", name="Алгоритмы")
        assert first.embed and "is ready" in first.embed["description"], first.content
        second = await mod.run("/deck create", name="Базы данных")
        assert second.embed and "is ready" in second.embed["description"], second.content
        # The same name again is still refused.
        again = await mod.run("/deck create", name="базы  данных")
        assert "already a deck called **Базы данных**" in again.content
        for name in ("!!!", "???"):  # no letters at all: different names all the same
            made = await mod.run("/deck create", name=name)
            assert made.embed and "is ready" in made.embed["description"], made.content
        for name in ("Алгоритмы", "Базы данных"):
            [choice] = await mod.autocomplete("/question add", "deck", name[:4])
            opened = await mod.run("/question add", deck=choice["value"])
            await mod.submit(opened.modal, prompt=f"A question for {name}?", answer="Yes.")
        decks = {d.name: d for d in await bot.store.decks_for_guild(_guild.id)}
        assert len({decks["Алгоритмы"].slug, decks["Базы данных"].slug}) == 2
        for name in ("Алгоритмы", "Базы данных"):
            [sq] = await bot.store.questions_in_deck(decks[name].id)
            assert sq.question.prompt == f"A question for {name}?"


async def test_a_deck_named_by_digits_is_not_mistaken_for_the_deck_of_that_number(
    recall, emulator
):
    """A deck is also named by its number. A deck called "7" whose slug was "7" was offered
    by autocomplete as `7`, which picked deck number 7 instead: /deck remove asked to remove
    another deck, /question add added to it."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod, name="0 start")
        [other] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        made = await mod.run("/deck create", name=str(other.id))
        assert f"**{other.id}** (`deck-{other.id}`) is ready" in made.embed["description"]
        # Both are offered, each by the slug that picks it: the deck of that number first.
        choices = await mod.autocomplete("/deck remove", "deck", str(other.id))
        assert [(c["name"], c["value"]) for c in choices] == [
            ("0 start (0 questions)", "0-start"),
            (f"{other.id} (0 questions)", f"deck-{other.id}"),
        ]
        choice = choices[1]
        asked = await mod.run("/deck remove", deck=choice["value"])
        assert asked.embed["title"] == f"Remove {other.id}?"
        # Its number still names the other deck.
        info = await mod.run("/deck info", deck=str(other.id))
        assert info.embed["title"] == "0 start"


async def test_editing_only_the_answer_keeps_an_option_written_over_two_lines(recall, emulator):
    """An imported option may hold a line break; the form has one option a line, so it
    shows the option on one line, and saving a change to the answer only leaves the options
    as they were, line break and right one included."""
    from bot.questions import Question

    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        deck = await bot.store.create_custom_deck(guild.id, "Team Flask", "", mod.id)
        q = Question(
            id="converter",
            prompt="Which converter matches slashes?",
            answer="path",
            options=[{"text": "path\n(any text)", "correct": True}, {"text": "string"}],
        )
        qid = await bot.store.add_question(deck.id, q)
        opened = await mod.run("/question edit", id=qid)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        saved = await mod.submit(opened.modal, **{**values, "answer": "path, for slashes."})
        assert "Saved question" in saved.content
        after = (await bot.store.question(qid)).question
        assert [(o.text, o.correct) for o in after.options] == [
            ("path\n(any text)", True),
            ("string", False),
        ]


async def test_question_add_tells_code_apart_but_refuses_a_reworded_duplicate(recall, emulator):
    """Prompts that differ in code symbols are different questions; deck names too. Case,
    spacing and sentence punctuation still make the same question."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        made = await make_deck(mod, name="C++ interview")
        assert made.embed and "is ready" in made.embed["description"], made.content
        other = await make_deck(mod, name="C# interview")
        assert other.embed and "is ready" in other.embed["description"], other.content
        again = await make_deck(mod, name="c#  Interview")
        assert "already a deck called **C# interview**" in again.content
        deck = next(
            d for d in await bot.store.decks_for_guild(guild.id) if d.name == "C++ interview"
        )

        async def add(prompt: str):
            opened = await mod.run("/question add", deck=deck.slug)
            return await mod.submit(opened.modal, prompt=prompt, answer="An answer.")

        first = await add("What does i++ do?")
        assert "Added question **#" in first.content, first.content
        second = await add("What does i-- do?")
        assert "Added question **#" in second.content, second.content
        third = await add("What is the difference between `==` and `===`?")
        assert "Added question **#" in third.content, third.content
        dup = await add("what does `i++` do")
        assert "already has that question" in dup.content
        dup = await add("What is the difference between == and ===!")
        assert "already has that question" in dup.content
        prompts = [sq.question.prompt for sq in await bot.store.questions_in_deck(deck.id)]
        assert prompts == [
            "What does i++ do?",
            "What does i-- do?",
            "What is the difference between `==` and `===`?",
        ]


def _big_deck(n: int, answer: str = "A short answer.") -> list[Question]:
    return [
        Question(id=f"big-{i}", prompt=f"Big question {i}?", answer=f"{i}: {answer}")
        for i in range(n)
    ]


async def test_a_deck_past_the_import_limits_exports_in_files_that_import_back(recall, emulator):
    """A deck grown past what one import takes (here through many questions) exports as
    several files, each within the limits; importing them in turn gives the deck back."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod, name="Big")
        await make_deck(mod, name="Copy")
        decks = {d.slug: d for d in await bot.store.decks_for_guild(guild.id)}
        questions = _big_deck(2 * IMPORT_MAX_QUESTIONS + 50)
        await bot.store.insert_questions(decks["big"].id, questions)

        out = await mod.run("/question export", deck="big", format="yaml")
        await out.wait_for_followup(within=30)  # 1,050 questions: seconds on a busy machine
        assert out.ephemeral and len(out.messages) == 1
        text = out.message.content
        assert f"**Big**: {len(questions):,} questions as YAML, in 3 files" in text
        assert "one import takes at most 500 questions and 1.0 MiB" in text
        files = out.message.attachments
        assert [f.filename for f in files] == [
            "big-1-of-3.yaml",
            "big-2-of-3.yaml",
            "big-3-of-3.yaml",
        ]
        for f in files:
            preview = await mod.run(
                "/question import", file=emulator.attachment(f.filename, f.data), deck="copy"
            )
            msg = await preview.wait_for_followup(within=30)
            assert [b.label for b in msg.buttons] == ["Import", "Cancel"], msg.content
            done = await mod.click(msg, "Import")
            assert "Imported **" in done.message.embeds[0]["description"]
        copied = [sq.question for sq in await bot.store.questions_in_deck(decks["copy"].id)]
        assert copied == questions


async def test_an_export_larger_than_one_message_takes_comes_in_several(recall, emulator):
    """Discord takes at most 10 files and 10 MiB a message: a deck exported in more parts
    than that comes in several private messages, each within those limits."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod, name="Huge")
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "huge"]
        # "<" and "&" become entities in Markdown: about 13 KB a question.
        questions = _big_deck(900, answer="<&x" * 1300)
        await bot.store.insert_questions(deck.id, questions)

        out = await mod.run("/question export", deck="huge", format="markdown")
        await out.wait_for(lambda r: len(r.messages) >= 2, within=30)
        files = [a for m in out.messages for a in m.attachments]
        assert len(files) > MESSAGE_FILES_MAX
        for message in out.messages:
            assert message.ephemeral
            assert len(message.attachments) <= MESSAGE_FILES_MAX
            assert sum(len(a.data) for a in message.attachments) <= MESSAGE_FILES_BYTES_MAX
        assert f"in {len(files)} files" in out.message.content
        back: list[Question] = []
        for f in files:
            assert f.filename.startswith("huge-") and f.filename.endswith(f"-of-{len(files)}.md")
            assert len(f.data) <= IMPORT_MAX_BYTES
            result = parse_import(f.data, f.filename)
            assert result.errors == []
            back += result.questions
        assert back == questions


async def test_markdown_emphasis_in_a_prompt_does_not_make_a_new_question(recall, emulator):
    """Discord shows **Flask** as a bold Flask: a prompt that only adds emphasis is the
    question the deck already has, both in the form and in an import."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)

        async def add(prompt: str):
            opened = await mod.run("/question add", deck="team-flask")
            return await mod.submit(opened.modal, prompt=prompt, answer="An answer.")

        first = await add("What is Flask?")
        assert "Added question **#" in first.content, first.content
        for prompt in ("What is **Flask**?", "What is *Flask*?", "**What** is ~~Flask~~?"):
            dup = await add(prompt)
            assert "already has that question" in dup.content, (prompt, dup.content)
        code = await add("What do *args and **kwargs collect?")
        assert "Added question **#" in code.content, code.content
        article = (
            '# Deck\n\n## 1. What is **Flask**?\n\n**Example answer:**\n\n"A framework."\n\n'
            '## 2. What does **g** hold?\n\n**Example answer:**\n\n"Request data."\n'
        )
        file = emulator.attachment("flask.md", article.encode())
        preview = await mod.run("/question import", file=file, deck="team-flask")
        msg = await preview.wait_for_followup()
        body = msg.embeds[0]["description"] if msg.embeds else msg.content
        assert "**1 question** from **flask.md**" in body, body
        assert "already in the deck, skipped: What is **Flask**?" in body, body
        done = await mod.click(msg, "Import")
        assert "Imported **1 question" in done.message.embeds[0]["description"]
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "team-flask")
        prompts = [sq.question.prompt for sq in await bot.store.questions_in_deck(deck.id)]
        assert prompts == [
            "What is Flask?",
            "What do *args and **kwargs collect?",
            "What does **g** hold?",
        ]


async def test_a_form_refused_for_a_mistake_gives_back_what_was_typed(recall, emulator):
    """A form closes when it is sent: refused for a mistake (here the options), its sender
    gets what they typed back, to paste into the form opened again, with what to fix."""
    guild, mod, _alice = await setup_guild(emulator)
    typed = {
        "prompt": "Which method registers a blueprint?",
        "answer": "A long model answer that took a while to write. " * 20,
        "key_points": "registered on the app\ncan have a url_prefix",
        "tags": "blueprints",
        "options": "app.add_blueprint\napp.register_blueprint",  # no right one marked
    }
    async with recall.running() as bot:
        await make_deck(mod)
        opened = await mod.run("/question add", deck="team-flask")
        refused = await mod.submit(opened.modal, **typed)
        assert refused.ephemeral
        assert "Options: mark exactly one option as right" in refused.content
        [attached] = refused.message.attachments
        text = attached.data.decode()
        assert typed["answer"].strip() in text and "## Options: one a line, right one starts *\napp.add_blueprint" in text
        assert (await bot.store.search_questions(guild.id, custom_only=True)).total == 0

        # The same for an edit refused as a duplicate of another question.
        added = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="What is a view?",
            answer="A function that answers a request.",
        )
        qid = int(added.content.split("#")[1].split("*")[0])
        await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="What is a blueprint?",
            answer="A group of routes.",
        )
        edit = await mod.run("/question edit", id=qid)
        dup = await mod.submit(
            edit.modal, prompt="What is a blueprint?", answer="My new, carefully typed answer."
        )
        assert "Another question in this deck already asks that" in dup.content
        [attached] = dup.message.attachments
        assert "My new, carefully typed answer." in attached.data.decode()


async def test_removing_a_deck_of_one_question_says_question(recall, emulator):
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if d.slug == "team-flask"]
        await bot.store.add_question(
            deck.id, Question(id="one", prompt="The only one?", answer="Yes.")
        )
        asked = await mod.run("/deck remove", deck="team-flask")
        assert "Its 1 question will no longer be asked. Grades, boards and stats that include it" in (
            asked.embed["description"]
        )
        removed = await mod.click(asked.message, "Remove deck")
        text = removed.message.embeds[0]["description"]
        assert "and its 1 question are no longer asked." in text, text


async def test_switching_a_deck_off_says_reviews_of_it_stop_too(recall, emulator):
    """/review asks no card of a switched-off deck: the moderator is told, as for quizzes."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running():
        off = await mod.run("/deck disable", deck="flask")
        assert "`/review start`" in off.embed["description"], off.embed
        on = await mod.run("/deck enable", deck="flask")
        assert "`/review start`" in on.embed["description"], on.embed


async def test_a_form_sent_after_it_expired_gives_back_what_was_typed(
    recall, emulator, monkeypatch
):
    """An open form waits in memory for a while (hours); sent later than that, in the same
    run of the bot, it is answered like one from before a restart: with what was typed."""
    from cogs import ui

    monkeypatch.setattr(ui, "FORM_TIMEOUT", 0.2)
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        opened = await mod.run("/question add", deck="team-flask")
        await asyncio.sleep(1)  # the moderator took their time (the form waits 0.2 s)
        sent = await mod.submit(opened.modal, **FORM)
        assert sent.acknowledged and sent.ephemeral
        assert "was not saved" in sent.content, sent.content
        [attached] = sent.message.attachments
        assert FORM["answer"] in attached.data.decode()
        assert (await bot.store.search_questions(guild.id, custom_only=True)).total == 0


async def test_a_form_sent_as_the_bot_stops_waiting_for_it_is_answered(
    recall, emulator, monkeypatch
):
    """The moment discord.py stops waiting for an open form (its timeout), a form sent is
    answered with what was typed: no moment in which it gets no answer at all."""
    from cogs import ui

    monkeypatch.setattr(ui, "FORM_TIMEOUT", 0.5)
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        opened = await mod.run("/question add", deck="team-flask")
        # discord.py keeps the form once Discord has answered the request that opened it...
        waiting = bot._connection._view_store._modals
        await emulator.wait_until(lambda: opened.modal.custom_id in waiting)
        form = waiting[opened.modal.custom_id]
        # ...and drops it at its timeout: sent at that moment, it is answered all the same
        assert await asyncio.wait_for(form.wait(), 5), "the form did not time out"
        assert opened.modal.custom_id not in waiting
        sent = await mod.submit(opened.modal, within=3, **FORM)
        assert sent.acknowledged and sent.ephemeral and not sent.error_codes
        assert "was not saved" in sent.content, sent.content
        [attached] = sent.message.attachments
        assert FORM["answer"] in attached.data.decode()
        assert (await bot.store.search_questions(guild.id, custom_only=True)).total == 0


def _question_options(emulator, guild_id: int, sub: str) -> dict[str, dict]:
    [command] = [
        o for o in emulator.commands.find(guild_id, "question")["options"] if o["name"] == sub
    ]
    return {o["name"]: o for o in command.get("options") or []}


async def test_why_it_is_asked_is_set_by_add_and_edit_and_shown_by_show_and_hint(recall, emulator):
    """The form has no room for "why it is asked": /question add and edit take it as an
    option; /question show and the quiz's Hint show it; edit replaces or clears it."""
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        for sub in ("add", "edit"):
            why_option = _question_options(emulator, guild.id, sub)["why"]
            assert why_option["max_length"] == WHY_MAX and not why_option.get("required")
            # the limit as refusals give it: "at most 1,000", not "at most 1000"
            assert f"(at most {WHY_MAX:,} characters" in why_option["description"]
        opened = await mod.run(
            "/question add", deck="team-flask", why="  To see whether they split a large app.  "
        )
        added = await mod.submit(opened.modal, **FORM)
        assert "Added question **#" in added.content, added.content
        qid = int(added.content.split("#")[1].split("*")[0])
        assert (await bot.store.question(qid)).question.why == (
            "To see whether they split a large app."
        )
        shown = await alice.run("/question show", id=qid)
        fields = {f["name"]: f["value"] for f in shown.embed["fields"]}
        assert fields["Why it is asked"] == "To see whether they split a large app."
        posted = await alice.run("/quiz", deck="team-flask")
        hint = await alice.click(posted.message, "Hint")
        assert hint.ephemeral
        assert hint.embed["description"] == "To see whether they split a large app."

        # Edit: a new text replaces it; the form's fields stay as they were.
        opened = await mod.run("/question edit", id=qid, why="Blueprints show up in every app.")
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        saved = await mod.submit(opened.modal, **values)
        assert f"Saved question **#{qid}**" in saved.content, saved.content
        after = (await bot.store.question(qid)).question
        assert after.why == "Blueprints show up in every app."
        assert after.prompt == FORM["prompt"] and after.answer == FORM["answer"]
        shown = await alice.run("/question show", id=qid)
        fields = {f["name"]: f["value"] for f in shown.embed["fields"]}
        assert fields["Why it is asked"] == "Blueprints show up in every app."

        # An edit without the option keeps it.
        opened = await mod.run("/question edit", id=qid)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        await mod.submit(opened.modal, **{**values, "answer": "Routes grouped to register."})
        assert (await bot.store.question(qid)).question.why == "Blueprints show up in every app."

        # clear_why removes it: no field in /question show, no Hint on a quiz.
        opened = await mod.run("/question edit", id=qid, clear_why=True)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        saved = await mod.submit(opened.modal, **values)
        assert f"Saved question **#{qid}**" in saved.content, saved.content
        assert (await bot.store.question(qid)).question.why == ""
        shown = await alice.run("/question show", id=qid)
        assert "Why it is asked" not in [f["name"] for f in shown.embed["fields"]]
        posted = await alice.run("/quiz", deck="team-flask")
        assert "Hint" not in [b.label for b in posted.message.buttons]


async def test_a_bad_why_is_refused_with_what_to_fix_and_what_was_typed(recall, emulator):
    """A blank or too long "why", or a "why" with clear_why, is refused before the form
    opens, privately, saying what to fix, with the typed text attached; a form refused for
    a mistake gives back the "why" given with the command too."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        blank = await mod.run("/question add", deck="team-flask", why=" \n\t ")
        assert blank.modal is None and blank.ephemeral
        assert "`why` is blank" in blank.content and "leave the option out" in blank.content
        [attached] = blank.message.attachments
        assert attached.data.decode() == f"## {WHY_HEADING}\n \n\t "

        added = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="What is a view?",
            answer="A function that answers a request.",
        )
        qid = int(added.content.split("#")[1].split("*")[0])
        blank = await mod.run("/question edit", id=qid, why="   ")
        assert blank.modal is None and blank.ephemeral
        assert "`why` is blank" in blank.content and "`clear_why`" in blank.content
        # Refused for another reason, the "why" comes back all the same.
        nowhere = await mod.run("/question add", deck="no-such-deck", why="A reason.")
        assert nowhere.modal is None and "There is no deck called" in nowhere.content
        [attached] = nowhere.message.attachments
        assert attached.data.decode() == f"## {WHY_HEADING}\nA reason."
        both = await mod.run("/question edit", id=qid, why="A reason.", clear_why=True)
        assert both.modal is None and both.ephemeral
        assert "`why` or `clear_why`, not both" in both.content
        [attached] = both.message.attachments
        assert "A reason." in attached.data.decode()

        # Discord's client keeps to the option's max_length; a payload that does not (a
        # forged one) is refused all the same.
        for sub in ("add", "edit"):
            _question_options(emulator, guild.id, sub)["why"].pop("max_length")
        typed = "Why? " * 200 + "Because."
        assert len(typed.strip()) > WHY_MAX
        too_long = await mod.run("/question add", deck="team-flask", why=typed)
        assert too_long.modal is None and too_long.ephemeral
        assert f"`why` has {len(typed.strip()):,} characters" in too_long.content
        assert f"at most {WHY_MAX:,}" in too_long.content and "Shorten it" in too_long.content
        [attached] = too_long.message.attachments
        assert typed in attached.data.decode()
        too_long = await mod.run("/question edit", id=qid, why=typed)
        assert too_long.modal is None and f"at most {WHY_MAX:,}" in too_long.content

        # The form refused for a mistake: the "why" comes back with the rest.
        opened = await mod.run("/question add", deck="team-flask", why="To test routing.")
        refused = await mod.submit(
            opened.modal,
            prompt="Which converter takes slashes?",
            answer="path",
            options="string\npath",
        )
        assert "Options: mark exactly one option as right" in refused.content
        [attached] = refused.message.attachments
        assert f"## {WHY_HEADING}\nTo test routing." in attached.data.decode()
        assert (await bot.store.search_questions(guild.id, custom_only=True)).total == 1
        assert (await bot.store.question(qid)).question.why == ""
        await drafts_dropped(bot)



async def test_an_edit_writes_only_what_its_form_changed(recall, emulator):
    """Moderator A opens the edit form; moderator B changes the difficulty, the "why" and
    the answer meanwhile; A changes the prompt only: B's changes are kept, not undone by
    the values A's form showed when it opened."""
    guild, mod, _alice = await setup_guild(emulator)
    other = guild.add_member("other mod", permissions=MANAGE)
    async with recall.running() as bot:
        deck = await bot.store.create_custom_deck(guild.id, "Team Flask", "", mod.id)
        qid = await bot.store.add_question(
            deck.id,
            Question(
                id="factory",
                prompt="Why use an app factory?",
                why="The first reason.",
                answer="Config per app.",
                key_points=["config per app"],
                tags=["contexts"],
                difficulty="easy",
            ),
        )
        a_opened = await mod.run("/question edit", id=qid)
        a_values = {t.custom_id: t.value or "" for t in a_opened.modal.text_inputs}

        b_opened = await other.run(
            "/question edit", id=qid, difficulty="hard", why="Factories come up in tests."
        )
        b_values = {t.custom_id: t.value or "" for t in b_opened.modal.text_inputs}
        b_saved = await other.submit(
            b_opened.modal, **{**b_values, "answer": "Config per app, fresh for each test."}
        )
        assert "Saved question" in b_saved.content, b_saved.content

        a_saved = await mod.submit(
            a_opened.modal, **{**a_values, "prompt": "Why use an application factory?"}
        )
        assert "Saved question" in a_saved.content, a_saved.content
        after = (await bot.store.question(qid)).question
        assert after.prompt == "Why use an application factory?"
        assert after.difficulty.value == "hard"
        assert after.why == "Factories come up in tests."
        assert after.answer == "Config per app, fresh for each test."
        assert after.key_points == ["config per app"] and after.tags == ["contexts"]
        # What A sees is the question as saved, B's changes with it.
        assert "🔴 hard" in str(a_saved.message.embeds)
        assert "Factories come up in tests." in str(a_saved.message.embeds)

        # A difficulty given but the same as the form showed changes nothing either.
        c_opened = await mod.run("/question edit", id=qid, difficulty="hard")
        await bot.store.update_question(
            qid, after.model_copy(update={"difficulty": Difficulty.medium})
        )
        c_values = {t.custom_id: t.value or "" for t in c_opened.modal.text_inputs}
        await mod.submit(c_opened.modal, **{**c_values, "tags": "contexts, factories"})
        final = (await bot.store.question(qid)).question
        assert final.tags == ["contexts", "factories"]
        assert final.difficulty.value == "medium"


async def test_an_unknown_deck_lists_a_built_in_deck_sharing_a_slug_by_its_number(
    recall, emulator
):
    """A server's own "python" deck (made before the built-in one shipped) keeps the slug;
    a deck name that matches nothing lists the decks as they can be named: the built-in
    "python" by its number, not by the slug that picks the server's deck."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await bot.store.create_deck(guild.id, "python", "Python")
        builtin = next(
            d for d in await bot.store.decks_for_guild(guild.id) if d.builtin and d.slug == "python"
        )
        for command in ("/question list", "/question export", "/deck info"):
            refused = await mod.run(command, deck="cooking")
            assert "There is no deck called “cooking”" in refused.content, refused.content
            assert refused.content.count("`python`") == 1, refused.content
            assert f"`{builtin.id}`" in refused.content, refused.content


async def test_show_says_when_a_questions_deck_was_removed(recall, emulator):
    """A question of a removed deck is no longer asked: /question show says so, as for a
    removed question, instead of showing it as if it were live."""
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod)
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        live = await alice.run("/question show", id=qid)
        assert "footer" not in live.embed, live.embed
        asked = await mod.run("/deck remove", deck="team-flask")
        await mod.click(asked.message, "Remove deck")
        shown = await alice.run("/question show", id=qid)
        footer = shown.embed.get("footer", {}).get("text", "")
        assert "Team Flask was removed" in footer and "no longer asked" in footer, shown.embed
        assert shown.embed["color"] == discord.Colour.orange().value


async def test_switching_a_deck_to_the_state_it_is_in_says_nothing_changed(recall, emulator):
    """/deck enable of a deck that is on (or disable of one that is off) says it already
    is and that nothing changed, instead of reporting a switch that did not happen."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        already_on = await mod.run("/deck enable", deck="flask")
        assert already_on.ephemeral
        assert already_on.embed["title"] == "Flask interview prep is already on", already_on.embed
        assert "Nothing was changed" in already_on.embed["description"]
        assert "can ask from it again" not in already_on.embed["description"]

        off = await mod.run("/deck disable", deck="flask")
        assert off.embed["title"] == "Flask interview prep is off"
        already_off = await mod.run("/deck disable", deck="flask")
        assert already_off.embed["title"] == "Flask interview prep is already off"
        assert "Nothing was changed" in already_off.embed["description"]
        assert "no longer ask from it" not in already_off.embed["description"]
        decks = await bot.store.decks_for_guild(guild.id, include_disabled=True)
        flask = next(d for d in decks if d.slug == "flask")
        assert not flask.enabled

        on = await mod.run("/deck enable", deck="flask")
        assert on.embed["title"] == "Flask interview prep is on"
        assert "can ask from it again" in on.embed["description"]


async def test_deck_info_of_a_shadowed_built_in_deck_says_how_to_pick_it(recall, emulator):
    """/deck info of the built-in "python" deck, where the server's own deck has the slug
    "python", gives the number that picks the built-in deck (as autocomplete offers it):
    typing the slug would pick the server's deck."""
    guild, _mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await bot.store.create_deck(guild.id, "python", "Python")
        builtin = next(
            d for d in await bot.store.decks_for_guild(guild.id) if d.builtin and d.slug == "python"
        )
        choices = await alice.autocomplete("/deck info", "deck", "python")
        assert str(builtin.id) in [c["value"] for c in choices]
        info = await alice.run("/deck info", deck=str(builtin.id))
        assert info.embed["title"] == "Python interview prep", info.embed
        fields = {f["name"]: f["value"] for f in info.embed["fields"]}
        assert f"pick this deck as `{builtin.id}`" in fields["Slug"], fields
        # The server's own deck keeps the plain slug.
        own = await alice.run("/deck info", deck="python")
        assert own.embed["title"] == "Python", own.embed
        fields = {f["name"]: f["value"] for f in own.embed["fields"]}
        assert fields["Slug"] == "`python`"
        # An unshadowed built-in deck is shown by its slug alone.
        flask = await alice.run("/deck info", deck="flask")
        fields = {f["name"]: f["value"] for f in flask.embed["fields"]}
        assert fields["Slug"] == "`flask`"


async def test_import_of_a_question_added_while_the_preview_waited_says_it_in_the_singular(
    recall, emulator
):
    """One question of the file added to the deck while the preview waited: Import skips it
    and says "1 question was added ... and was skipped", not "1 were"."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod)
        file = emulator.attachment("deck.yaml", DECK_YAML.encode())
        preview = await mod.run("/question import", file=file, deck="team-flask")
        msg = await preview.wait_for_followup()
        assert "**3 questions**" in msg.embeds[0]["description"]
        await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="Why use an application factory?",
            answer="Fresh apps per call.",
        )
        done = await mod.click(msg, "Import")
        text = done.message.embeds[0]["description"]
        assert "Imported **2 questions**" in text, text
        assert "1 question was added to the deck meanwhile and was skipped." in text, text
        assert "were" not in text, text


async def test_add_and_edit_of_a_question_too_long_for_one_message_show_all_of_it(
    recall, emulator
):
    """A question whose prompt, why, key points and model answer pass Discord's 6,000
    characters a message: the reply to a saved /question add or edit shows all of it in
    two messages, as /question show does, the model answer included."""
    _guild, mod, alice = await setup_guild(emulator)
    long_form = {
        "prompt": ("How would you lay out a large Flask application? " * 20)[:1000].strip(),
        "answer": ("With an application factory and blueprints per area. " * 80)[:4000].strip(),
        "key_points": "\n".join(f"- point {i} " + "x" * 280 for i in range(8)),
        "tags": "structure",
        "options": "",
    }
    async with recall.running() as bot:
        await make_deck(mod)
        opened = await mod.run("/question add", deck="team-flask", why="W" * 1000)
        added = await mod.submit(opened.modal, **long_form)
        assert "Added question **#" in added.content, added.content
        qid = int(added.content.split("#")[1].split("*")[0])
        # Answered first: the first followup filled in the reply, the second is the answer.
        await added.wait_for_followup(2)
        titles = [e.get("title") for m in added.messages for e in m.embeds]
        assert titles == [f"Question #{qid}", "Model answer"], titles
        answer = (await bot.store.question(qid)).question.answer
        assert [m.embeds[0]["description"] for m in added.messages][1] == answer
        assert all(m.ephemeral for m in added.messages)

        shown = await alice.run("/question show", id=qid)
        await shown.wait_for_followup()
        assert [e.get("title") for m in shown.messages for e in m.embeds] == titles

        opened = await mod.run("/question edit", id=qid)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        saved = await mod.submit(opened.modal, **{**values, "tags": "structure, blueprints"})
        assert f"Saved question **#{qid}**" in saved.content, saved.content
        await saved.wait_for_followup(2)
        assert [e.get("title") for m in saved.messages for e in m.embeds] == titles
        assert all(m.ephemeral for m in saved.messages)


async def test_a_deck_name_refused_gives_back_the_description_typed_with_it(recall, emulator):
    """/deck create refused for its name: the description, up to 500 characters typed in
    the command, comes back attached, to copy into the command again."""
    _guild, mod, _alice = await setup_guild(emulator)
    description = "Questions our team asks in interviews: " + "contexts, blueprints, " * 15
    async with recall.running():
        await make_deck(mod)
        again = await mod.run("/deck create", name="team flask!", description=description)
        assert again.ephemeral
        assert "already a deck called **Team Flask**" in again.content, again.content
        assert "`description` is attached" in again.content
        [attached] = again.message.attachments
        assert description.strip() in attached.data.decode()
        # Without a description, nothing is attached.
        bare = await mod.run("/deck create", name="Team Flask")
        assert "already a deck called" in bare.content and not bare.message.attachments


async def test_a_deck_name_of_invisible_characters_is_refused(recall, emulator):
    """A name of zero-width spaces (or a direction mark) made a deck listed as an empty
    bold "****", offered blank in autocomplete, and one more could be made beside it (such
    a name compares equal to none)."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        for name in ("\u200b\u200b", "\u200e", "\u200b \u0301"):
            refused = await mod.run("/deck create", name=name, description="Our own")
            assert refused.ephemeral
            assert "That deck name shows nothing" in refused.content, refused.content
            assert "`description` is attached" in refused.content
        assert [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin] == []
        for name in ("!!!", "🔥", "\u200bC++"):  # something shows
            made = await mod.run("/deck create", name=name)
            assert "is ready" in made.embed["description"], made.content


async def test_a_long_deck_name_in_autocomplete_keeps_its_count_and_off(recall, emulator):
    """Discord shows 100 characters of a choice: an 80-character deck name with 100 questions
    lost the end of "(100 questions, off)", which tells a switched-off deck apart."""
    guild, mod, _alice = await setup_guild(emulator)
    name = "Distributed systems, consensus, replication and the failure modes of networks"
    name += "!" * (80 - len(name))
    async with recall.running() as bot:
        await make_deck(mod, name=name)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        await bot.store.insert_questions(
            deck.id,
            [Question(id=f"q{n}", prompt=f"Question number {n}?", answer="A.") for n in range(100)],
        )
        await mod.run("/deck disable", deck=deck.slug)
        [choice] = await mod.autocomplete("/deck enable", "deck", "distributed")
        assert choice["name"].endswith("… (100 questions, off)"), choice["name"]
        assert len(choice["name"]) == 100
        assert choice["name"].startswith(name[:70])


async def test_a_list_page_of_a_deck_removed_since_says_so(recall, emulator):
    """The pages of a deck's list, turned after the deck was removed: the member is told the
    deck was removed, not shown an empty list "in deck ?" that says to try fewer filters."""
    from bot.questions import Question

    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        await bot.store.insert_questions(
            deck.id,
            [Question(id=f"q{n}", prompt=f"Question number {n}?", answer="A.") for n in range(12)],
        )
        first = await alice.run("/question list", deck="team-flask")
        assert first.embed["footer"]["text"].startswith("Page 1/2 · 12 questions")
        assert await bot.store.remove_deck(guild.id, deck.id)
        turned = await alice.click(first.message, "Next ▶")
        assert turned.ephemeral and "has been removed" in turned.content, turned.content
        assert first.message.embeds[0]["footer"]["text"].startswith("Page 1/2")


async def test_deck_info_lists_whole_tags_and_says_how_many_more(recall, emulator):
    """A deck with more tags than a field holds lists as many whole tags as fit and says how
    many more there are, instead of a tag cut in the middle."""
    from bot.questions import Question

    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        tags = [f"topic-number-{n:02}-of-many" for n in range(60)]
        await bot.store.insert_questions(
            deck.id,
            [
                Question(id=f"q{n}", prompt=f"Question {n}?", answer="A.", tags=tags[n::20])
                for n in range(20)
            ],
        )
        info = await alice.run("/deck info", deck="team-flask")
        value = {f["name"]: f["value"] for f in info.embed["fields"]}["Tags"]
        assert len(value) <= 1024
        *whole, more = value.split(", ")
        assert all(t.startswith("`topic-number-") and t.endswith("` (1)") for t in whole), value
        assert more == f"… and {60 - len(whole)} more", value


async def test_an_edit_sent_after_its_deck_was_removed_says_it_was_not_saved(recall, emulator):
    """The deck of a question being edited is removed while the form is open: the refusal
    says the edit was not saved ("nothing was added" would say something else), and gives
    back what was typed."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        opened = await mod.run("/question edit", id=qid)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        assert await bot.store.remove_deck(guild.id, deck.id)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        sent = await mod.submit(opened.modal, **{**values, "answer": "An edited answer."})
        assert sent.content.startswith("That deck has been removed"), sent.content
        assert "added" not in sent.content and "nothing was saved" in sent.content
        [typed] = sent.message.attachments
        assert "An edited answer." in typed.data.decode()


async def test_an_unknown_deck_lists_the_servers_own_decks_first_and_says_how_many_more(
    recall, emulator
):
    """With more decks than the refusal lists, the server's own come first (a mistyped
    name is most likely one of them) and the rest are counted, not silently left out."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        for n in range(30):
            await bot.store.create_custom_deck(guild.id, f"Team deck {n:02}", "", mod.id)
        refused = await mod.run("/question list", deck="team deck 99")
        text = refused.content
        assert "There is no deck called" in text and "`team-deck-00`" in text, text
        shown = text.count("`team-deck-")
        builtin = len([d for d in await bot.store.decks_for_guild(guild.id) if d.builtin])
        assert f"… and {30 + builtin - shown} more" in text, text


async def test_the_way_to_change_a_built_in_deck_ends_with_switching_it_off(recall, emulator):
    """Refused an edit of a built-in question, a moderator is told to copy the deck into
    one of their own; the built-in deck then has to be switched off, or every question is
    asked twice (the copy does not count as a duplicate of the other deck's)."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        builtin = (await bot.store.search_questions(guild.id, search="converter")).questions[0]
        for refused in (
            await mod.run("/question edit", id=builtin.id),
            await mod.run("/question remove", id=builtin.id),
            await mod.run("/question add", deck="flask"),
        ):
            assert "copy it into a deck of your own" in refused.content, refused.content
            assert "`/deck disable` this one" in refused.content, refused.content
            assert "asked twice" in refused.content
            assert len(refused.content) <= 2000


async def assert_refused_with_the_command_again(bot, refused, command: str, why: str) -> None:
    """A form refused for its options: what to fix, the command that opens it again as it
    was, and the `why` typed with that command attached (no longer kept in the database)."""
    await drafts_dropped(bot)
    assert "Options: mark exactly one option as right" in refused.content
    assert (
        f"run `{command}` again with the `why` attached and paste the rest into the form"
        in refused.content
    ), refused.content
    [attached] = refused.message.attachments
    assert f"## {WHY_HEADING}\n{why}" in attached.data.decode()


async def test_a_refused_form_says_how_to_open_it_again_as_it_was(recall, emulator):
    """A form refused for a mistake gives back what was typed; the difficulty (and the
    `why`) were given with the command, not in the form, so the refusal names the command
    to run again with them: opening the form "again" as it said before added a hard
    question as medium. A `why` the moderator did not type is not attached as if typed."""
    guild, mod, _alice = await setup_guild(emulator)
    bad_options = {"answer": "path", "options": "string\npath"}  # no right one marked
    async with recall.running() as bot:
        await make_deck(mod)
        opened = await mod.run(
            "/question add", deck="team-flask", difficulty="hard", why="To test routing."
        )
        refused = await mod.submit(opened.modal, prompt="Which converter?", **bad_options)
        await assert_refused_with_the_command_again(
            bot, refused, "/question add deck:team-flask difficulty:hard", "To test routing."
        )

        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        qid = await bot.store.add_question(
            deck.id, Question(id="v", prompt="What is a view?", answer="A function.", why="Saved.")
        )
        opened = await mod.run("/question edit", id=qid, difficulty="easy")
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        refused = await mod.submit(opened.modal, **{**values, **bad_options})
        assert (
            f"run `/question edit id:{qid} difficulty:easy` again and paste it into the form"
            in refused.content
        ), refused.content
        [attached] = refused.message.attachments
        assert WHY_HEADING not in attached.data.decode()  # the question's own, not typed
        assert (await bot.store.question(qid)).question.difficulty.value == "medium"


async def test_deck_choices_count_one_question_in_the_singular(recall, emulator):
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        await bot.store.add_question(deck.id, Question(id="v", prompt="A view?", answer="A."))
        [choice] = await mod.autocomplete("/question add", "deck", "team")
        assert choice["name"] == "Team Flask (1 question)"
        await mod.run("/deck disable", deck="team-flask")
        [choice] = await mod.autocomplete("/deck enable", "deck", "team")
        assert choice["name"] == "Team Flask (1 question, off)"


async def test_deck_choices_match_a_name_typed_without_its_accents(recall, emulator):
    """The deck option takes "elan vital" for the deck **Élan vital** (names are compared
    without case and accents), so its choices offer the deck for that text too."""
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod, name="Élan vital")
        for typed in ("elan vital", "ÉLAN V", "Elan"):
            for command in ("/deck info", "/quiz"):
                choices = await alice.autocomplete(command, "deck", typed)
                assert [c["value"] for c in choices] == ["elan-vital"], (command, typed, choices)
        info = await alice.run("/deck info", deck="elan vital")
        assert info.embed["title"] == "Élan vital"


async def test_list_opens_at_the_page_asked_for(recall, emulator):
    """A deck of 500 questions lists in 50 pages: `page` opens the list at one (a page past
    the end shows the last) instead of clicking Next 36 times to reach page 37."""
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        await bot.store.insert_questions(
            deck.id,
            [Question(id=f"q{n}", prompt=f"Question {n}?", answer="A.") for n in range(500)],
        )
        listed = await alice.run("/question list", deck="team-flask", page=37)
        assert listed.embed["footer"]["text"].startswith("Page 37/50 · 500 questions")
        assert "Question 360?" in listed.embed["description"]
        after = await alice.click(listed.message, "Next ▶")
        assert after.message.embeds[0]["footer"]["text"].startswith("Page 38/50")
        past = await alice.run("/question list", deck="team-flask", page=80)
        assert past.embed["footer"]["text"].startswith("Page 50/50")
        assert [b.disabled for b in past.message.buttons] == [False, True]


async def test_a_question_of_a_switched_off_deck_says_it_is_not_asked(recall, emulator):
    """Shown, added or saved, a question of a deck switched off in this server says it is
    not asked (as one of a removed deck does), rather than looking like any other."""
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod)
        await mod.run("/deck disable", deck="team-flask")
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        shown = await alice.run("/question show", id=qid)
        for reply in (added, shown):
            footer = reply.embed["footer"]["text"]
            assert "Team Flask is switched off in this server, so it is not asked" in footer
            assert "/deck enable" in footer
        await mod.run("/deck enable", deck="team-flask")
        assert "footer" not in (await alice.run("/question show", id=qid)).embed


def code_spans_closed(line: str) -> bool:
    """Whether every code span a line opens is closed on it: Discord would otherwise pair
    its backticks with the next ones, turning the lines that follow into code."""
    opened = ""
    for run in re.findall(r"`+", line):
        if not opened:
            opened = run
        elif run == opened:
            opened = ""
    return not opened


async def test_list_lines_of_prompts_cut_inside_code_close_the_code(recall, emulator):
    """A prompt too long for a line of `/question list` was cut wherever its 90th character
    fell, often inside a code span (40 of the built-in prompts): the span's backtick was
    then paired with the next line's `#id`, and the rest of the page read as code."""
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        long_code = "Why would `" + "x" * 20 + "` and `" + "flask.current_app." * 6 + "` differ?"
        await bot.store.insert_questions(
            deck.id,
            [
                Question(id="a", prompt=long_code, answer="A."),
                Question(id="b", prompt="What does `" + "y" * 84 + "`?", answer="A."),
                Question(id="c", prompt="What does " + "z" * 77 + " `g` hold?", answer="A."),
            ],
        )
        listed = await alice.run("/question list", deck="team-flask")
        lines = listed.embed["description"].split("\n")
        assert len(lines) == 3
        assert all(code_spans_closed(line) for line in lines), lines
        first, second, third = lines
        assert "`flask.current_app.flask.current_app." in first and "`…" in first
        # The opening backtick alone, with nothing of the code after it, goes.
        assert "What does `" not in third and third.count("`") == 2
        assert len(second.split(" · ")[0]) <= len("`#999` ") + 90
        built_in = await alice.run("/question list", deck="sql")
        for line in built_in.embed["description"].split("\n"):
            assert code_spans_closed(line), line

        removing = await mod.run("/question remove", id=int(first.split("`#")[1].split("`")[0]))
        assert code_spans_closed(removing.embed["description"].split("\n")[0])

        # The import preview cuts answers as well.
        answer = "Call `" + "app.test_client()." * 20 + "` in a test."
        upload = emulator.attachment("d.csv", f"question,answer\nHow to test?,{answer}\n".encode())
        asked = await mod.run("/question import", file=upload, deck="team-flask")
        preview = await asked.wait_for_followup()
        [field] = preview.embeds[0]["fields"]
        assert all(code_spans_closed(line) for line in field["value"].split("\n")), field


async def test_import_warnings_quoting_a_prompt_cut_inside_code_close_the_code(recall, emulator):
    """The preview's warnings quote a skipped question's prompt, cut to 60 characters: cut
    inside a code span, its backtick ran on into the next warning, shown as code."""
    guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        known = "When does `" + "app.teardown_appcontext." * 3 + "` run?"
        twice = "What does `" + "request.get_json(silent=True)." * 2 + "` return?"
        await bot.store.insert_questions(deck.id, [Question(id="k", prompt=known, answer="A.")])
        rows = [known, "What is `g`?", twice, twice.upper().replace("`", "`")]
        data = "question,answer\n" + "".join(f'"{p}",An answer.\n' for p in rows)
        asked = await mod.run(
            "/question import", file=emulator.attachment("d.csv", data.encode()), deck="team-flask"
        )
        preview = await asked.wait_for_followup()
        description = preview.embeds[0]["description"]
        warnings = [line for line in description.split("\n") if line.startswith("• ")]
        assert len(warnings) == 2, description
        assert all(code_spans_closed(line) for line in warnings), warnings
        assert any("`app.teardown_appcontext.app" in line for line in warnings), warnings


async def test_a_deck_of_thousands_of_questions_counts_them_by_thousands(recall, emulator):
    """A deck of 1200 questions read "1200 questions" in /deck list, /deck info, /question
    list, deck and tag choices and /deck remove: every count is grouped by thousands, as on
    the boards. The page numbers /question list shows are left as they are typed in `page`."""
    guild, mod, alice = await setup_guild(emulator)
    easy = {"tags": ["views"], "difficulty": Difficulty.easy}
    questions = [q.model_copy(update=easy) for q in _big_deck(1200)]
    async with recall.running() as bot:
        await make_deck(mod)
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        await bot.store.insert_questions(deck.id, questions)
        assert "(`team-flask`) · 1,200 questions · custom" in await deck_list(alice)
        info = await alice.run("/deck info", deck="team-flask")
        fields = {f["name"]: f["value"] for f in info.embed["fields"]}
        assert fields["Questions"].startswith("1,200 (0 multiple choice)\n🟢 1,200 · 🟡 0 · 🔴 0")
        assert fields["Tags"] == "`views` (1,200)"
        page = await alice.run("/question list", deck="team-flask")
        assert page.embed["footer"]["text"].startswith("Page 1/120 · 1,200 questions")
        [choice] = await mod.autocomplete("/question add", "deck", "team")
        assert choice["name"] == "Team Flask (1,200 questions)"
        [tag] = await alice.autocomplete("/question list", "tag", "view", deck="team-flask")
        assert tag["name"] == "views (1,200)"
        [tag] = await alice.autocomplete("/quiz", "tag", "view", deck="team-flask")
        assert tag["name"] == "views (1,200)"
        asked = await mod.run("/deck remove", deck="team-flask")
        assert asked.embed["description"].startswith("Its 1,200 questions will no longer")
        removed = await mod.click(asked.message, "Remove deck")
        assert "and its 1,200 questions are no longer asked." in (
            removed.message.embeds[0]["description"]
        )


async def test_deck_info_counts_thousands_of_tags_left_out_by_thousands(recall, emulator):
    """A deck of 1300 tags listed the first few in /deck info and "… and 1280 more"."""
    guild, mod, alice = await setup_guild(emulator)
    questions = [
        q.model_copy(update={"tags": [f"t{n}-{k}" for k in range(10)]})
        for n, q in enumerate(_big_deck(130))
    ]
    async with recall.running() as bot:
        await make_deck(mod)
        deck = next(d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin)
        await bot.store.insert_questions(deck.id, questions)
        info = await alice.run("/deck info", deck="team-flask")
        value = {f["name"]: f["value"] for f in info.embed["fields"]}["Tags"]
        shown = value.count("` (1)")
        assert value.endswith(f", … and {1300 - shown:,} more"), value


async def test_a_preview_expired_while_another_was_made_says_to_upload_again(recall, emulator):
    """A preview left past its 24 hours is marked expired when a later upload is previewed:
    its Import then says it expired and what to do, as one not yet marked does, not that
    the import "was already expired"."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        old = await (
            await mod.run(
                "/question import",
                file=emulator.attachment("d.yaml", DECK_YAML.encode()),
                deck="team-flask",
            )
        ).wait_for_followup()
        async with bot.store.transaction() as db:
            await db.execute(
                "UPDATE import_sessions SET expires_at = '2000-01-01T00:00:00.000000Z'"
            )
        await (
            await mod.run(
                "/question import",
                file=emulator.attachment("e.yaml", DECK_YAML.encode()),
                deck="team-flask",
            )
        ).wait_for_followup()
        for button in ("Import", "Cancel"):
            clicked = await mod.click(old, button)
            assert clicked.content == (
                "This preview has expired; nothing was imported. Upload the file again."
            ), button


async def test_editing_or_removing_a_question_of_a_removed_deck_says_its_deck_was_removed(
    recall, emulator
):
    """The question itself was not removed, its deck was: /question edit and remove say
    that, naming the deck, not that the question "has been removed"."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod, name="Team *Flask*")
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        asked = await mod.run("/deck remove", deck="team-flask")
        await mod.click(asked.message, "Remove deck")
        for command in ("/question edit", "/question remove"):
            refused = await mod.run(command, id=qid)
            assert refused.ephemeral
            assert refused.content == (
                f"Question #{qid} is in **Team \\*Flask\\***, a deck that has been removed, so "
                "it can no longer be changed; `/question show` still shows it."
            ), (command, refused.content)


async def test_an_edit_sent_as_it_opened_says_nothing_was_changed(recall, emulator):
    """A moderator who opens the edit form to look, or who changes a field and back, and
    sends it is told nothing was changed, not that the question was saved; a difficulty
    given that it already has changes nothing either."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        before = await bot.store._fetchone("SELECT updated_at FROM questions WHERE id = ?", (qid,))
        for options in ({}, {"difficulty": "medium"}):
            opened = await mod.run("/question edit", id=qid, **options)
            values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
            sent = await mod.submit(opened.modal, **values)
            assert sent.content == (
                f"Question **#{qid}** already was as the form was sent, so nothing was changed."
            ), sent.content
            assert sent.embeds[0]["title"] == f"Question #{qid}"
        after = await bot.store._fetchone("SELECT updated_at FROM questions WHERE id = ?", (qid,))
        assert after[0] == before[0]
        opened = await mod.run("/question edit", id=qid)
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        saved = await mod.submit(opened.modal, **{**values, "answer": "Routes, grouped."})
        assert saved.content == f"Saved question **#{qid}**."


async def test_a_deck_number_typed_in_a_deck_option_offers_that_deck(recall, emulator):
    """A built-in deck whose slug the server's own deck has is listed and picked by its
    number: typing that number in a deck option offers it (it offered nothing)."""
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await bot.store.create_deck(guild.id, "python", "Python")
        builtin = next(
            d for d in await bot.store.decks_for_guild(guild.id) if d.builtin and d.slug == "python"
        )
        assert f"(`{builtin.id}`)" in await deck_list(alice)
        for member, command in ((alice, "/deck info"), (mod, "/deck disable")):
            choices = await member.autocomplete(command, "deck", f" {builtin.id} ")
            assert [c["value"] for c in choices][:1] == [str(builtin.id)], (command, choices)
            assert choices[0]["name"].startswith("Python interview prep (")


async def test_a_prompt_over_two_lines_is_found_by_the_words_as_choices_show_them(
    recall, emulator
):
    """Choices and list lines show a prompt on one line; typing its words as shown, across
    its line break (or a double space), finds it in autocomplete and /question list."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod)
        added = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            prompt="Explain the\ndifference between  WSGI and ASGI.",
            answer="One is synchronous.",
        )
        qid = int(added.content.split("#")[1].split("*")[0])
        for typed in ("the difference", "between wsgi", "Explain the difference between"):
            choices = await mod.autocomplete("/question edit", "id", typed)
            assert [c["value"] for c in choices] == [qid], (typed, choices)
            assert choices[0]["name"] == (
                f"#{qid} · Explain the difference between WSGI and ASGI."
            )
            listed = await mod.run("/question list", deck="team-flask", search=typed)
            assert f"`#{qid}`" in listed.embed["description"], (typed, listed.embed)


async def test_deck_edit_renames_and_redescribes_a_deck_keeping_its_slug(recall, emulator):
    """/deck edit changes a server deck's name or description in place (its questions and
    history stay with it); the slug stays, so what names the deck keeps naming it."""
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod, name="Team Flsak")
        await make_deck(mod, name="Backend", description="")
        added = await mod.submit((await mod.run("/question add", deck="team-flsak")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        # Only the server's own decks are offered.
        choices = await mod.autocomplete("/deck edit", "deck", "")
        assert [c["value"] for c in choices] == ["backend", "team-flsak"]

        done = await mod.run(
            "/deck edit", deck="team-flsak", name="Team Flask", description="Questions we ask."
        )
        assert done.ephemeral
        assert done.embed["title"] == "Deck updated"
        assert done.embed["description"] == (
            "**Team Flask** (`team-flsak`)\n"
            "• Name: was **Team Flsak**\n"
            "• Description: was “Our own questions”\n"
            "Its slug stays `team-flsak`, so commands, question-of-the-day schedules and files "
            "exported keep naming it as before."
        ), done.embed["description"]
        info = await alice.run("/deck info", deck="team-flsak")
        assert info.embed["title"] == "Team Flask"
        assert info.embed["description"] == "Questions we ask."
        sq = await bot.store.question(qid)
        assert sq is not None and sq.deck_name == "Team Flask" and not sq.removed
        assert "**Team Flask** (`team-flsak`) · 1 question" in await deck_list(alice)

        # The same again (spacing does not count): nothing changed, nothing written.
        before = await bot.store._fetchall("SELECT * FROM decks ORDER BY id")
        same = await mod.run("/deck edit", deck="team-flsak", name=" Team  Flask ")
        assert same.embed["title"] == "Nothing was changed"
        assert same.embed["description"] == (
            "**Team Flask** already has that name and description."
        )
        assert await bot.store._fetchall("SELECT * FROM decks ORDER BY id") == before

        # Clearing the description; then one of the options at a time.
        cleared = await mod.run("/deck edit", deck="team-flsak", clear_description=True)
        assert "• Description: removed (it was “Questions we ask.”)" in cleared.embed["description"]
        described = await mod.run("/deck edit", deck="backend", description="Servers.")
        assert "• Description: was empty" in described.embed["description"]
        assert "Name:" not in described.embed["description"]
        assert (await alice.run("/deck info", deck="backend")).embed["description"] == "Servers."
        assert before != await bot.store._fetchall("SELECT * FROM decks ORDER BY id")


async def test_deck_edit_refusals_say_what_to_fix_and_write_nothing(recall, emulator):
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        await make_deck(mod, name="Backend", description="")
        before = await bot.store._fetchall("SELECT * FROM decks ORDER BY id")
        nothing = await mod.run("/deck edit", deck="team-flask")
        assert nothing.ephemeral
        assert nothing.content == (
            "Give a new `name` or `description` (or `clear_description`) to change; nothing "
            "was changed."
        )
        both = await mod.run(
            "/deck edit", deck="team-flask", description="New.", clear_description=True
        )
        assert both.content.startswith("Give `description` or `clear_description`, not both.")
        taken = await mod.run("/deck edit", deck="team-flask", name="backend!")
        assert taken.content == (
            "There is already a deck called **Backend** (`backend`) here. Choose another name."
        )
        # A description typed with a name refused comes back, as with /deck create.
        long = "Questions our team asks in interviews: " + "contexts, blueprints, " * 15
        again = await mod.run("/deck edit", deck="team-flask", name="Backend", description=long)
        assert "already a deck called **Backend**" in again.content
        assert "`description` is attached" in again.content
        [attached] = again.message.attachments
        assert long.strip() in attached.data.decode()
        blank = await mod.run("/deck edit", deck="team-flask", description="   ")
        assert blank.content.startswith("`description` is blank")
        invisible = await mod.run("/deck edit", deck="team-flask", name="\u200b\u200b")
        assert "That deck name shows nothing" in invisible.content
        nul = await mod.run("/deck edit", deck="team-flask", name="Team\x00Flask")
        assert nul.content.startswith("The deck name contains a NUL character"), nul.content
        nul = await mod.run("/deck edit", deck="team-flask", description="A\x00B")
        assert "The deck description contains a NUL character" in nul.content, nul.content
        builtin = await mod.run("/deck edit", deck="flask", name="Our Flask")
        assert builtin.content == (
            "**Flask interview prep** is a built-in deck: its name and description come with "
            "Recall's deck file, which a new version of Recall replaces, so they can't be "
            "changed here. For a deck of your own under another name, `/deck create` one, "
            "`/question export` this deck and `/question import` the file into yours, then "
            "`/deck disable` this one."
        ), builtin.content
        refused = await alice.run("/deck edit", deck="team-flask", name="Mine")
        assert "Only moderators can do this" in refused.content
        asked = await mod.run("/deck remove", deck="backend")
        await mod.click(asked.message, "Remove deck")
        after_remove = await bot.store._fetchall("SELECT * FROM decks ORDER BY id")
        gone = await mod.run("/deck edit", deck="backend", name="Servers")
        assert "There is no deck called “backend” here" in gone.content
        assert await bot.store._fetchall("SELECT * FROM decks ORDER BY id") == after_remove
        assert [tuple(r) for r in before if r["name"] == "Team Flask"] == [
            tuple(r) for r in after_remove if r["name"] == "Team Flask"
        ]


async def test_question_restore_brings_back_the_same_question(recall, emulator):
    """/question remove can be undone: /question restore brings back the same row (its
    grades stay with it), only for a removed question of a deck of the server's own that
    is not removed, and not when the deck now asks the same in another question."""
    guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        asked = await mod.run("/question remove", id=qid)
        assert "`/question restore` brings it back" in asked.embed["description"]
        done = await mod.click(asked.message, "Remove")
        assert done.message.embeds[0]["description"].endswith(
            f"Undo it with `/question restore id:{qid}`."
        ), done.message.embeds[0]["description"]
        # Offered to restore; no longer to edit or remove.
        choices = await mod.autocomplete("/question restore", "id", "")
        assert [c["value"] for c in choices] == [qid]
        assert choices[0]["name"].startswith(f"#{qid} · What is a blueprint for?")
        assert qid not in [c["value"] for c in await mod.autocomplete("/question edit", "id", "")]

        restored = await mod.run("/question restore", id=qid)
        await restored.settled()
        assert restored.ephemeral
        assert restored.content == (
            f"Restored question **#{qid}** to **Team Flask**: it is asked again, with the "
            "grades and review cards members had of it."
        ), restored.content
        assert restored.embed["title"] == f"Question #{qid}"
        sq = await bot.store.question(qid)
        assert sq is not None and not sq.removed
        listed = await alice.run("/question list", deck="team-flask")
        assert f"`#{qid}`" in listed.embed["description"]
        assert await mod.autocomplete("/question restore", "id", "") == []
        again = await mod.run("/question restore", id=qid)
        assert again.content == f"Question #{qid} is not removed, so there is nothing to restore."

        # The deck asks the same in another question since: refused, naming it.
        await mod.click((await mod.run("/question remove", id=qid)).message, "Remove")
        readded = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal,
            **{**FORM, "prompt": "What is a Blueprint for"},
        )
        other = int(readded.content.split("#")[1].split("*")[0])
        assert other != qid
        clash = await mod.run("/question restore", id=qid)
        await clash.settled()
        assert clash.ephemeral
        assert clash.content == (
            f"Question #{other} of this deck already asks that (“What is a Blueprint for”), "
            f"so #{qid} was not restored. Remove #{other}, or edit it to ask something else, "
            "then restore this one."
        ), clash.content
        assert (await bot.store.question(qid)).removed

        # Built-in questions, another server's, and a removed deck's are refused.
        found = await bot.store.search_questions(guild.id, search="converter")
        builtin_id = found.questions[0].id
        builtin = await mod.run("/question restore", id=builtin_id)
        assert "built-in decks are read-only" in builtin.content
        elsewhere = emulator.add_guild("Other server").add_member("eve", permissions=MANAGE)
        hidden = await elsewhere.run("/question restore", id=qid)
        assert f"There is no question #{qid} here" in hidden.content
        await mod.click((await mod.run("/deck remove", deck="team-flask")).message, "Remove deck")
        gone = await mod.run("/question restore", id=qid)
        assert gone.content == (
            f"Question #{qid} is in **Team Flask**, a deck that has been removed, so it can no "
            "longer be changed; `/question show` still shows it."
        ), gone.content
        assert await mod.autocomplete("/question restore", "id", "") == []
        refused = await alice.run("/question restore", id=qid)
        assert "Only moderators can do this" in refused.content


async def test_deck_edit_and_create_refuse_a_name_another_deck_goes_by(recall, emulator):
    """A deck's name and a slug that reads as it (case, accents and punctuation aside) must
    name the same deck: `deck:Python` and `deck:python` picked a renamed deck of the
    server's and the built-in one. /deck edit refuses such a name as /deck create does,
    naming the deck it would be mistaken for, and writes nothing."""
    _guild, mod, alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        await make_deck(mod, name="Backend", description="")
        await mod.run("/deck edit", deck="backend", name="Servers")
        before = await bot.store._fetchall("SELECT * FROM decks ORDER BY id")
        python = await mod.run("/deck edit", deck="team-flask", name="Python")
        assert python.ephemeral
        assert python.content == (
            "A deck called **Python** could be mistaken for the built-in deck **Python "
            "interview prep**, whose slug is `python`. Choose another name."
        ), python.content
        slug = await mod.run("/deck edit", deck="team-flask", name="BACKEND!")
        assert slug.content == (
            "A deck called **BACKEND!** could be mistaken for the deck **Servers**, whose "
            "slug is `backend`. Choose another name."
        ), slug.content
        builtin_name = await mod.run("/deck edit", deck="team-flask", name="python Interview prep")
        assert builtin_name.content == (
            "There is already a deck called **Python interview prep** (`python`) here. "
            "Choose another name."
        ), builtin_name.content
        assert await bot.store._fetchall("SELECT * FROM decks ORDER BY id") == before
        # /deck create follows the same rule.
        created = await mod.run("/deck create", name="Backend")
        assert "could be mistaken for the deck **Servers**" in created.content, created.content
        created = await mod.run("/deck create", name="Python Interview Prep")
        assert "already a deck called **Python interview prep**" in created.content
        assert await bot.store._fetchall("SELECT * FROM decks ORDER BY id") == before
        # A name like no other deck's is taken.
        renamed = await mod.run("/deck edit", deck="team-flask", name="Python at work")
        assert renamed.embed["title"] == "Deck updated", renamed.content
        for typed, title in [
            ("python", "Python interview prep"),
            ("python at work", "Python at work"),
            ("backend", "Servers"),
        ]:
            assert (await alice.run("/deck info", deck=typed)).embed["title"] == title


async def test_question_restore_into_a_switched_off_deck_says_when_it_is_asked(
    recall, emulator, monkeypatch
):
    """A question restored to a deck switched off in the server is not asked until the deck
    is switched on: the reply says so, as the question's footer does, and so does the
    reply to a restore another moderator made a moment before."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        added = await mod.submit((await mod.run("/question add", deck="team-flask")).modal, **FORM)
        qid = int(added.content.split("#")[1].split("*")[0])
        await mod.click((await mod.run("/question remove", id=qid)).message, "Remove")
        await mod.run("/deck disable", deck="team-flask")
        restored = await mod.run("/question restore", id=qid)
        await restored.settled()
        assert restored.content == (
            f"Restored question **#{qid}** to **Team Flask**, with the grades and review cards "
            "members had of it. The deck is switched off in this server, so it is asked again "
            "once `/deck enable` switches the deck back on."
        ), restored.content
        assert "is switched off in this server, so it is not asked" in (
            restored.embed["footer"]["text"]
        )

        # Another moderator's restore lands just before this one's.
        await mod.click((await mod.run("/question remove", id=qid)).message, "Remove")
        restore = bot.store.restore_question

        async def restored_first(question_id: int) -> bool:
            assert await restore(question_id)
            return await restore(question_id)

        monkeypatch.setattr(bot.store, "restore_question", restored_first)
        meanwhile = await mod.run("/question restore", id=qid)
        await meanwhile.settled()
        assert meanwhile.content == (
            f"Question **#{qid}** was restored meanwhile. The deck is switched off in this "
            "server, so it is asked again once `/deck enable` switches the deck back on."
        ), meanwhile.content


async def test_a_restore_refused_for_a_duplicate_quotes_its_prompt_as_typed(recall, emulator):
    """The refusal quotes the question that asks the same: Markdown in its prompt shows as
    typed instead of formatting (or unbalancing) the message."""
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running():
        await make_deck(mod)
        prompt = "What do __init__ and *args ~~do~~?"
        added = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal, **{**FORM, "prompt": prompt}
        )
        qid = int(added.content.split("#")[1].split("*")[0])
        await mod.click((await mod.run("/question remove", id=qid)).message, "Remove")
        again = await mod.submit(
            (await mod.run("/question add", deck="team-flask")).modal, **{**FORM, "prompt": prompt}
        )
        other = int(again.content.split("#")[1].split("*")[0])
        clash = await mod.run("/question restore", id=qid)
        await clash.settled()
        assert clash.content == (
            f"Question #{other} of this deck already asks that "
            r"(“What do \_\_init\_\_ and \*args \~\~do\~\~?”), "
            f"so #{qid} was not restored. Remove #{other}, or edit it to ask something else, "
            "then restore this one."
        ), clash.content
