"""/quiz end to end: members play along in a channel through the real discord.py client."""

from __future__ import annotations

import asyncio

import pytest

from bot.questions import Question
from cogs.quiz import OptionButton
from tests.test_e2e_bank import deck_list

pytestmark = pytest.mark.e2e

OPEN = Question(
    id="open-1",
    prompt="What does the application context hold?",
    why="It shows whether you know where `current_app` and `g` live.",
    key_points=["current_app", "g", "pushed per request and per CLI command"],
    answer="The application context holds `current_app` and `g` for the length of a request or command.",
    tags=["contexts"],
    difficulty="medium",
)
OPEN_2 = Question(
    id="open-2",
    prompt="Why use an application factory?",
    why="It checks you know how to build several apps for tests.",
    key_points=["create_app()", "config per instance", "extensions with init_app"],
    answer="A factory builds a fresh app per call, so tests and instances get their own config.",
    tags=["contexts"],
    difficulty="easy",
)
MC = Question(
    id="mc-1",
    prompt="Which converter matches a path with slashes?",
    key_points=["path accepts slashes", "string stops at a slash"],
    answer="`path` is like `string` but also accepts slashes.",
    options=[
        {"text": "string"},
        {"text": "path", "correct": True},
        {"text": "any"},
        {"text": "uuid"},
    ],
    tags=["routing"],
    difficulty="easy",
)


async def add_test_deck(bot, guild_id: int) -> int:
    deck_id = await bot.store.create_deck(guild_id, "testing", "Testing deck", "For tests")
    await bot.store.add_questions(deck_id, [OPEN, OPEN_2, MC])
    return deck_id


async def post_open_question(member, guild):
    """``member`` runs /quiz in the general channel for the test deck's open question on
    contexts; the public message."""
    posted = await member.run(
        "/quiz", channel=guild.general, deck="testing", tag="contexts", difficulty="medium"
    )
    return posted.message


async def revealed_open_question(bot, guild, poster, member):
    """The test deck added, ``poster``'s public open question (see
    :func:`post_open_question`) and ``member``'s reveal of it: (the message, the reveal)."""
    await add_test_deck(bot, guild.id)
    msg = await post_open_question(poster, guild)
    return msg, await member.click(msg, "Reveal answer")


def footer(message) -> str:
    return (message.embeds[0].get("footer") or {}).get("text", "")


async def test_public_quiz_played_by_three_members(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)

        posted = await alice.run(
            "/quiz", channel=guild.general, deck="testing", tag="contexts", difficulty="medium"
        )
        assert not posted.ephemeral
        msg = posted.message
        embed = msg.embeds[0]
        assert embed["description"] == OPEN.prompt
        assert embed["author"]["name"] == "Testing deck"
        assert {f["name"]: f["value"] for f in embed["fields"]} == {
            "Difficulty": "🟡 medium",
            "Tags": "`contexts`",
        }
        assert [b.label for b in msg.buttons] == ["Reveal answer", "Hint", "Next question"]
        assert "The application context holds" not in str(msg.embeds)  # no spoiler
        assert footer(msg) == "Asked by alice · 0 members answered"

        hint = await bob.click(msg, "Hint")
        assert hint.ephemeral and hint.embed["description"] == OPEN.why

        grades = {}
        for member, grade in ((alice, "Good"), (bob, "Again"), (carol, "Easy")):
            revealed = await member.click(msg, "Reveal answer")
            assert revealed.ephemeral
            answer = revealed.embed
            assert OPEN.answer in answer["description"]
            assert answer["fields"][0]["name"] == "Key points"
            assert "• current_app" in answer["fields"][0]["value"]
            assert [b.label for b in revealed.message.buttons] == [
                "Again",
                "Hard",
                "Good",
                "Easy",
                "Next question",
            ]
            graded = await member.click(revealed.message, grade)
            assert graded.response_type == 7  # the private reveal is updated in place
            grades[member.name] = graded.message.embeds[0]["description"]
            assert all(b.disabled for b in graded.message.buttons if b.label != "Next question")

        assert "You graded yourself **Good**\n**+2 points**" in grades["alice"]
        assert "You graded yourself **Again**\n**+2 points**" in grades["bob"]

        await emulator.wait_until(lambda: footer(msg) == "Asked by alice · 3 members answered")
        assert "The application context holds" not in str(msg.embeds)

        attempts = await bot.store._fetchall(
            "SELECT user_id, rating, scored, points, source FROM attempts ORDER BY id"
        )
        assert [
            (r["user_id"], r["rating"], r["scored"], r["points"], r["source"]) for r in attempts
        ] == [
            (alice.id, 3, 1, 2, "quiz"),
            (bob.id, 1, 1, 2, "quiz"),
            (carol.id, 4, 1, 2, "quiz"),
        ]

        # Next question: a new question for the clicker alone, with the same filters.
        nxt = await bob.click(msg, "Next question")
        assert nxt.ephemeral
        assert (
            nxt.message.embeds[0]["description"] == OPEN.prompt
        )  # only one medium 'contexts' question
        assert "Next question" in [b.label for b in nxt.message.buttons]


async def test_a_post_answered_by_thousands_counts_them_by_thousands(recall, emulator):
    """The live count on a /quiz post answered by 1001 members read "1001 members answered":
    it is grouped by thousands, as the boards are."""
    from bot.store.quiz import AttemptRequest

    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        msg, revealed = await revealed_open_question(bot, guild, alice, bob)
        post_id, question_id = await bot.store._fetchone(
            "SELECT id, question_id FROM posts"
        )
        await asyncio.gather(
            *(
                bot.store.record_attempt(
                    AttemptRequest(
                        guild.id, 5000 + i, f"m{i}", post_id, question_id, "quiz", 3, False, False
                    )
                )
                for i in range(1000)
            )
        )
        await bob.click(revealed.message, "Good")
        await emulator.wait_until(
            lambda: footer(msg) == "Asked by alice · 1,001 members answered"
        )


async def test_multiple_choice_right_and_wrong(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        msg = posted.message
        assert [b.label for b in msg.buttons] == [
            "A. string",
            "B. path",
            "C. any",
            "D. uuid",
            "Next question",
        ]
        assert "**B.** path" in msg.embeds[0]["description"]

        right = await alice.click(msg, "B. path")
        assert right.ephemeral
        assert right.embed["description"].startswith("✅ Right: **B. path**\n**+3 points**")
        wrong = await bob.click(msg, "D. uuid")
        assert wrong.embed["description"].startswith(
            "❌ You chose D; the answer is **B. path**\n**+1 point**"
        )

        again = await bob.click(msg, "B. path")  # a second try changes nothing
        assert again.embed["description"].startswith(
            "❌ You already answered this one. You chose D"
        )
        rows = await bot.store._fetchall(
            "SELECT user_id, option_index, correct, rating, points FROM attempts ORDER BY id"
        )
        assert [tuple(r) for r in rows] == [(alice.id, 1, 1, 3, 3), (bob.id, 3, 0, 1, 1)]
        await emulator.wait_until(lambda: footer(msg).endswith("2 members answered"))


async def test_private_quiz_is_ephemeral_throughout(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        posted = await alice.run(
            "/quiz", channel=guild.general, deck="testing", tag="contexts", private=True
        )
        assert posted.ephemeral
        assert emulator.channel_messages(guild.general) == []
        revealed = await alice.click(posted.message, "Reveal answer")
        assert revealed.ephemeral
        graded = await alice.click(revealed.message, "Hard")
        assert "You graded yourself **Hard**" in graded.message.embeds[0]["description"]
        assert emulator.channel_messages(guild.general) == []
        post = await bot.store.post(1)
        assert post is not None and post.private and post.message_id is None


async def test_double_and_concurrent_clicks_score_once(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        revealed = await alice.click(msg, "Reveal answer")
        # two clicks racing on different grades, then a plain double click
        first, second = await asyncio.gather(
            alice.click(revealed.message, "Good"), alice.click(revealed.message, "Easy")
        )
        assert first.acknowledged and second.acknowledged
        rows = await bot.store._fetchall("SELECT rating, scored, points FROM attempts")
        assert len(rows) == 1 and rows[0]["scored"] == 1 and rows[0]["points"] == 2
        totals = await bot.store._fetchall(
            "SELECT board, period, points, answered FROM score_totals WHERE user_id = ? ORDER BY board, period",
            (alice.id,),
        )
        assert {(r["board"], r["points"], r["answered"]) for r in totals} == {
            ("all", 2, 1),
            ("quiz", 2, 1),
        }
        assert len(totals) == 6  # two boards × week, month, season (bot.quiz.score_rows)

        # MC: a burst of the same click from one member
        mc = (
            await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        ).message
        results = await asyncio.gather(*(alice.click(mc, "B. path") for _ in range(5)))
        assert all(r.acknowledged for r in results)
        rows = await bot.store._fetchall(
            "SELECT COUNT(*) FROM attempts WHERE option_index IS NOT NULL"
        )
        assert rows[0][0] == 1


async def test_same_question_scores_once_a_day_and_daily_cap(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        await bot.store.set_guild_settings(
            guild.id,
            {
                "scoring.quiz_daily_cap": "4",
                "scoring.quiz_right": "3",
                "timezone": "America/Los_Angeles",
            },
        )
        first = (
            await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        ).message
        r1 = await alice.click(first, "B. path")
        assert "**+3 points**" in r1.embed["description"]
        second = (
            await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        ).message
        r2 = await alice.click(second, "B. path")
        assert "No points: you already scored on this question today." in r2.embed["description"]
        third = (
            await alice.run(
                "/quiz", channel=guild.general, deck="testing", tag="contexts", difficulty="easy"
            )
        ).message
        revealed = await alice.click(third, "Reveal answer")
        r3 = await alice.click(revealed.message, "Good")
        assert (
            "**+1 point** (daily /quiz cap of 4 points reached; it resets at midnight, "
            "America/Los_Angeles time)" in r3.message.embeds[0]["description"]
        )
        rows = await bot.store._fetchall("SELECT scored, points FROM attempts ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, 3), (0, 0), (1, 1)]


async def test_the_daily_cap_names_an_etc_gmt_zone_by_its_real_offset(recall, emulator):
    """Reaching the daily cap said it resets "at midnight, Etc/GMT+2 time" in a server set
    to Etc/GMT+2, which is UTC-2: a member reading the name as UTC+2 expected the reset four
    hours early. It names the zone as /settings timezone does, with its real offset."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        await bot.store.set_guild_settings(
            guild.id, {"scoring.quiz_daily_cap": "1", "timezone": "Etc/GMT+2"}
        )
        post = (
            await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        ).message
        answered = await alice.click(post, "B. path")
        assert (
            "**+1 point** (daily /quiz cap of 1 point reached; it resets at midnight, "
            "Etc/GMT+2 (UTC-2) time)" in answered.embed["description"]
        ), answered.embed["description"]


async def test_restart_between_posting_and_clicking(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        revealed = await bob.click(msg, "Reveal answer")
    async with recall.running(sync=False):
        graded = await bob.click(
            revealed.message, "Good"
        )  # an ephemeral message from the old process
        assert "You graded yourself **Good**" in graded.message.embeds[0]["description"]
        hint = await alice.click(msg, "Hint")
        assert hint.embed["description"] == OPEN.why
        await emulator.wait_until(lambda: footer(msg).endswith("1 member answered"))


async def test_no_match_lists_decks_and_tags(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        result = await alice.run("/quiz", channel=guild.general, deck="testing", tag="nope")
        assert result.ephemeral
        assert result.content.startswith(
            "No question matches with tag `nope`. Decks: "
            "**Algorithms and data structures interview prep** (`algorithms`, "
        )
        # the tags of the deck asked for, however many tags the other decks have
        assert "Tags in **Testing deck**: `contexts`, `routing`." in result.content
        unknown = await alice.run("/quiz", channel=guild.general, deck="cooking")
        assert unknown.ephemeral and unknown.content.startswith(
            "There is no deck called “cooking”. Decks:"
        )
        assert emulator.channel_messages(guild.general) == []
        assert await bot.store._fetchall("SELECT * FROM posts") == []  # nothing was stored


async def test_no_match_counts_a_deck_of_thousands_by_thousands(recall, emulator):
    """The decks a /quiz with no match lists gave a deck of 1200 questions as
    "(`big`, 1200)": the count is grouped by thousands, as deck choices give it."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "big", "Big deck")
        await bot.store.add_questions(
            deck_id, [Question(id=f"b{i}", prompt=f"Big {i}?", answer="A.") for i in range(1200)]
        )
        result = await alice.run("/quiz", channel=guild.general, deck="big", tag="nope")
        assert "**Big deck** (`big`, 1,200)" in result.content, result.content


async def test_deck_disabled_after_posting_still_answers(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        deck_id = await add_test_deck(bot, guild.id)
        msg = (
            await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        ).message
        await bot.store.set_deck_enabled(guild.id, deck_id, False)
        answered = await alice.click(msg, "B. path")
        assert answered.embed["description"].startswith("✅ Right")
        nxt = await alice.click(msg, "Next question")
        assert nxt.ephemeral and nxt.content == (
            "The deck **Testing deck** is switched off in this server, so it has no next "
            "question. A moderator can turn it on with `/deck enable`; `/quiz` asks from "
            "the decks that are on."
        ), nxt.content
        assert await bot.store.remove_deck(guild.id, deck_id)
        nxt = await alice.click(msg, "Next question")
        assert nxt.ephemeral and nxt.content == (
            "The deck this question came from was removed, so it has no next question. "
            "`/quiz` asks from the decks that are on."
        ), nxt.content


async def test_autocomplete_offers_enabled_decks_and_their_tags(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        decks = await alice.autocomplete("/quiz", "deck", "")
        # the built-in decks, then the server's own
        assert [c["value"] for c in decks] == [
            "algorithms",
            "asyncio",
            "celery",
            "django",
            "fastapi",
            "flask",
            "git",
            "http",
            "shell",
            "postgres",
            "python",
            "redis",
            "sql",
            "sqlalchemy",
            "pytest",
            "websec",
            "testing",
        ]
        assert decks[-1]["name"] == "Testing deck (3 questions)"
        tags = await alice.autocomplete("/quiz", "tag", "", deck="testing")
        assert [c["value"] for c in tags] == ["contexts", "routing"]
        assert tags[0]["name"] == "contexts (2)"
        flask_tags = await alice.autocomplete("/quiz", "tag", "sec", deck="flask")
        assert [c["value"] for c in flask_tags] == ["security"]
        solo = await bot.store.create_deck(guild.id, "solo", "Solo deck")
        await bot.store.add_questions(solo, [OPEN])
        await bot.store.create_deck(guild.id, "empty", "Empty deck")
        for command in ("/quiz", "/review start"):
            offered = {c["value"]: c["name"] for c in await alice.autocomplete(command, "deck", "")}
            assert offered["solo"] == "Solo deck (1 question)", offered
            assert offered["empty"] == "Empty deck (0 questions)", offered
        # each built-in deck offers its own tags
        for deck, typed, tag in (
            ("python", "gen", "generators"),
            ("sql", "win", "window-functions"),
            ("algorithms", "uni", "union-find"),
            ("pytest", "hyp", "hypothesis"),
            ("websec", "ssr", "ssrf"),
            ("asyncio", "taskg", "taskgroup"),
            ("django", "csr", "csrf"),
            ("shell", "here", "here-docs"),
            ("fastapi", "life", "lifespan"),
            ("redis", "strea", "streams"),
            ("sqlalchemy", "eager", "eager-loading"),
            ("celery", "visib", "visibility-timeout"),
            ("postgres", "wrap", "wraparound"),
        ):
            offered = await alice.autocomplete("/quiz", "tag", typed, deck=deck)
            assert [c["value"] for c in offered] == [tag], deck


async def test_a_member_cannot_grade_another_members_attempt(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, mallory = guild.add_member("alice"), guild.add_member("mallory")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        revealed = await alice.click(msg, "Reveal answer")
        good = revealed.message.button("Good").custom_id
        forged = await mallory.forge_click(revealed.message, good)
        assert forged.ephemeral
        assert forged.content.startswith("These grade buttons belong to another member.")
        assert await bot.store._fetchall("SELECT * FROM attempts") == []


async def test_public_message_is_recorded_by_the_first_grade_and_counts_coalesce(recall, emulator):
    """Reveal only reads; the public message's id rides in the grade buttons until a grade
    stores it. Grades arriving together make one edit of the count, and a grade button
    without the id (as sent once the post knows its message, or by an older version) works."""
    guild = emulator.add_guild("Study group")
    members = [guild.add_member(f"m{i}") for i in range(6)]
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(members[0], guild)
        post_id = (await bot.store._fetchall("SELECT id FROM posts"))[0][0]
        first = await members[0].click(msg, "Reveal answer")
        good = first.message.button("Good").custom_id
        assert good == f"rq:g:{post_id}:{members[0].id}:3:{msg.id}"
        assert (await bot.store.post(post_id)).message_id is None  # the reveal wrote nothing

        bot.get_cog("Quiz").count_delay = 0.5
        graded = await members[0].click(first.message, "Good")
        assert graded.response_type == 7
        assert (await bot.store.post(post_id)).message_id == msg.id
        revealed = await asyncio.gather(*(m.click(msg, "Reveal answer") for m in members[1:]))
        # the post knows its message now: the buttons carry no id
        assert revealed[0].message.button("Easy").custom_id == f"rq:g:{post_id}:{members[1].id}:4"
        await asyncio.gather(
            *(m.click(r.message, "Easy") for m, r in zip(members[1:], revealed, strict=True))
        )
        await emulator.wait_until(lambda: footer(msg).endswith("6 members answered"))
        await asyncio.sleep(0.6)
        # edits are batched: six grades, at most three edits (not one per grade)
        assert 1 <= len(msg.edits) <= 3, [footer_of(e) for e in msg.edits]
        rows = await bot.store._fetchall("SELECT COUNT(*) FROM attempts WHERE scored = 1")
        assert rows[0][0] == 6
        # The views are made of DynamicItems: none is kept in discord.py's view store, and no
        # ephemeral one holds a 15-minute timeout task.
        assert not [t for t in asyncio.all_tasks() if "timeout_task" in repr(t.get_coro())]


async def test_grade_refused_in_its_transaction_writes_nothing(recall, emulator):
    """The checks on a grade run in the grade's own write, on the question as it is then: a
    question edited into multiple choice after the reveal refuses the self-grade and nothing
    is written (no attempt, card or score). The post's message, known from the grade
    button, is recorded and redrawn with the options, though nobody had answered yet."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        [post] = await bot.store._fetchall("SELECT id, question_id FROM posts")
        revealed = await alice.click(msg, "Reveal answer")
        options = [{"text": "a request"}, {"text": "current_app and g", "correct": True}]
        edited = Question.model_validate({**OPEN.model_dump(), "options": options})
        await bot.store.update_question(post["question_id"], edited)
        refused = await alice.click(revealed.message, "Good")
        assert refused.ephemeral
        assert refused.content.startswith("This question was made multiple choice after it was")
        assert "The buttons are being updated: pick again in a moment." in refused.content
        for table in ("attempts", "srs_cards", "score_totals"):
            assert await bot.store._fetchall(f"SELECT * FROM {table}") == []
        assert (await bot.store.post(post["id"])).message_id == msg.id
        await emulator.wait_until(
            lambda: [b.label for b in msg.buttons][:2] == ["A. a request", "B. current_app and g"],
            within=5,
        )


def footer_of(state: dict) -> str:
    return (state["embeds"][0].get("footer") or {}).get("text", "")


async def test_next_after_a_reveal_does_not_give_back_the_question_revealed(recall, emulator):
    """A reveal stores nothing, but the member has read that answer: Next under it (tag
    contexts has two questions) must bring the other one, for every member."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    members = [guild.add_member(f"m{i}") for i in range(10)]
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="contexts")
        shown = posted.message.embeds[0]["description"]
        other = OPEN_2.prompt if shown == OPEN.prompt else OPEN.prompt
        for m in members:
            revealed = await m.click(posted.message, "Reveal answer")
            following = await m.click(revealed.message, "Next question")
            assert following.ephemeral and following.message.embeds[0]["description"] == other


async def test_a_double_clicked_next_gives_one_new_question(recall, emulator):
    """Two clicks on Next question at once are one request: both are answered with the same
    new private question, and one post is stored. A later click gets another one."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="contexts")
        first, second = await asyncio.gather(
            alice.click(posted.message, "Next question"),
            alice.click(posted.message, "Next question"),
        )
        assert first.ephemeral and second.ephemeral
        assert first.message.embeds[0] == second.message.embeds[0]
        rows = await bot.store._fetchall("SELECT id FROM posts WHERE author_id = ?", (alice.id,))
        assert len(rows) == 2  # the /quiz and one Next
        bot.get_cog("Quiz").quiz.next_repeat = 0
        await alice.click(posted.message, "Next question")
        rows = await bot.store._fetchall("SELECT id FROM posts WHERE author_id = ?", (alice.id,))
        assert len(rows) == 3


async def test_a_quiz_on_another_tag_in_between_does_not_bring_a_question_back(recall, emulator):
    guild = emulator.add_guild("Study group")
    members = [guild.add_member(f"m{i}") for i in range(6)]
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        for m in members:
            first = await m.run("/quiz", channel=guild.general, deck="testing", tag="contexts")
            await m.run("/quiz", channel=guild.general, deck="testing", tag="routing")
            third = await m.run("/quiz", channel=guild.general, deck="testing", tag="contexts")
            assert third.message.embeds[0]["description"] != first.message.embeds[0]["description"]


async def test_a_tag_typed_with_spaces_and_capitals_matches_the_stored_tag(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "jobs", "Jobs deck", "For tests")
        await bot.store.add_questions(
            deck_id, [OPEN.model_copy(update={"id": "bg-1", "tags": ["background-jobs"]})]
        )
        typed = await alice.run("/quiz", channel=guild.general, deck="jobs", tag="Background Jobs")
        assert typed.message.embeds[0]["description"] == OPEN.prompt
        choices = await alice.autocomplete("/quiz", "tag", "background j", deck="jobs")
        assert [c["value"] for c in choices] == ["background-jobs"]


async def test_an_option_click_is_graded_by_the_text_on_its_button(recall, emulator):
    """The options of a posted question are edited: a click is graded by the option the
    member saw (its text), wherever it moved; an option that is gone is refused clearly."""
    guild = emulator.add_guild("Study group")
    alice, bob, carol = (guild.add_member(n) for n in ("alice", "bob", "carol"))
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        bot.get_cog("Quiz").count_delay = 2.0  # the clicks below land on the old buttons
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        message = posted.message
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        moved = [{"text": "path", "correct": True}, {"text": "string"}, {"text": "uuid"}]
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": moved})
        )
        right, wrong, gone = await asyncio.gather(
            alice.click(message, "B. path"),  # now option A
            bob.click(message, "A. string"),  # now option B
            carol.click(message, "C. any"),  # removed
        )
        assert right.embed["description"].startswith("✅ Right: **A. path**")
        assert wrong.embed["description"].startswith("❌ You chose B; the answer is **A. path**")
        assert gone.ephemeral and gone.content.startswith(
            "The option on this button was edited or removed after the question was posted"
        )
        stored = await bot.store._fetchall("SELECT user_id, option_index, correct FROM attempts")
        assert {tuple(r) for r in stored} == {(alice.id, 0, 1), (bob.id, 1, 0)}
        # Buttons posted before option marks existed still match (and mean their place:
        # tests/test_quiz_rules.py).
        template = OptionButton.__discord_ui_compiled_template__
        assert template.fullmatch("rq:mc:7:1:0123abcd")["mark"] == "0123abcd"
        assert template.fullmatch("rq:mc:7:1")["mark"] is None
        # The count's edit redraws the options on the message and its buttons alike.
        await emulator.wait_until(lambda: footer(message).endswith("2 members answered"))
        assert [b.label for b in message.buttons][:3] == ["A. path", "B. string", "C. uuid"]
        again = await guild.add_member("erin").click(message, "A. path")
        assert again.embed["description"].startswith("✅ Right: **A. path**")


async def test_a_fixed_typo_in_an_option_keeps_its_buttons_and_a_removed_one_redraws_them(
    recall, emulator
):
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        bot.get_cog("Quiz").count_delay = 0.3
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        message = posted.message
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        fixed = [{"text": "String."}, {"text": "PATH", "correct": True}, {"text": "any"},
                 {"text": "uuid"}]
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": fixed})
        )
        right = await alice.click(message, "B. path")  # case and a dot do not count
        assert right.embed["description"].startswith("✅ Right: **B. PATH**")
        await emulator.wait_until(lambda: footer(message).endswith("1 member answered"))
        assert [b.label for b in message.buttons][:2] == ["A. String.", "B. PATH"]
        fewer = [{"text": "PATH", "correct": True}, {"text": "uuid"}]
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": fewer})
        )
        gone = await bob.click(message, "C. any")
        assert gone.ephemeral and gone.content.endswith(
            "The buttons are being updated: pick again in a moment."
        )
        await emulator.wait_until(lambda: [b.label for b in message.buttons][:2] == [
            "A. PATH", "B. uuid"])
        again = await bob.click(message, "B. uuid")
        assert again.embed["description"].startswith("❌ You chose B")


async def test_an_earlier_wrong_choice_is_named_as_the_options_stand_now(recall, emulator):
    """A member's wrong answer shown again after a moderator reordered the options names
    the letter their option has now, and its text once it is edited out; it used to name
    the letter it had, which then meant another option (here the right one)."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        message = posted.message
        wrong = await bob.click(message, "D. uuid")
        assert wrong.embed["description"].startswith("❌ You chose D; the answer is **B. path**")
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        moved = [{"text": "string"}, {"text": "uuid"}, {"text": "any"},
                 {"text": "path", "correct": True}]
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": moved})
        )
        again = await bob.click(message, "A. string")
        assert again.embed["description"].startswith(
            "❌ You already answered this one. You chose B; the answer is **D. path**"
        ), again.embed["description"]
        gone = [{"text": "string"}, {"text": "path", "correct": True}, {"text": "any"}]
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": gone})
        )
        last = await bob.click(message, "A. string")
        assert last.embed["description"].startswith(
            "❌ You already answered this one. You chose “uuid”, since edited out of the "
            "options; the answer is **B. path**"
        ), last.embed["description"]



async def test_a_built_in_deck_sharing_its_slug_with_the_servers_own_can_still_be_picked(
    recall, emulator
):
    """A server made its own "python" deck before the built-in one shipped: the slug names
    the server's deck, and autocomplete offers the built-in one by its number, which starts a
    quiz from it; /deck list shows that number too."""
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=1 << 5)  # Manage Server
    async with recall.running() as bot:
        own = await bot.store.create_deck(guild.id, "python", "Python")
        await bot.store.add_questions(own, [OPEN, OPEN_2, MC])
        builtin = next(
            d for d in await bot.store.decks_for_guild(guild.id) if d.builtin and d.slug == "python"
        )
        # "Async Python (asyncio) interview prep" matches "pyth" too, and sorts first
        choices = await mod.autocomplete("/quiz", "deck", "pyth")
        assert [c["value"] for c in choices] == ["asyncio", str(builtin.id), "python"]
        for command in ("/question list", "/deck info"):
            offered = await mod.autocomplete(command, "deck", "pyth")
            assert [c["value"] for c in offered] == ["asyncio", str(builtin.id), "python"], command

        from_builtin = await mod.run("/quiz", deck=str(builtin.id), private=True)
        assert "Python interview prep" in str(from_builtin.embed), from_builtin.embed
        from_own = await mod.run("/quiz", deck="python", private=True)
        assert any(q.prompt in str(from_own.embed) for q in (OPEN, OPEN_2, MC)), from_own.embed
        text = await deck_list(mod)
        assert f"**Python interview prep** (`{builtin.id}`)" in text, text
        assert "**Python** (`python`)" in text, text


async def test_a_question_no_longer_multiple_choice_gets_its_reveal_button_back(
    recall, emulator
):
    """The options of a posted question are removed (it is now answered by revealing): a
    click on an old option button redraws the message with Reveal answer, as it says."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        bot.get_cog("Quiz").count_delay = 0.3
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")
        message = posted.message
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": []})
        )
        gone = await bob.click(message, "B. path")
        assert gone.ephemeral and gone.content.endswith(
            "The buttons are being updated: pick again in a moment."
        ), gone.content
        await emulator.wait_until(
            lambda: [b.label for b in message.buttons] == ["Reveal answer", "Next question"]
        )
        revealed = await bob.click(message, "Reveal answer")
        graded = await bob.click(revealed.message, "Good")
        assert "You graded yourself **Good**" in graded.message.embeds[0]["description"]


async def test_reveal_after_a_self_grade_shows_the_self_grade_after_the_question_became_mc(
    recall, emulator
):
    """A member graded themselves, then the question was made multiple choice: Reveal
    answer on the post shows what was stored, the self-grade, not a multiple-choice verdict."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        revealed = await alice.click(msg, "Reveal answer")
        await alice.click(revealed.message, "Good")
        options = [{"text": "a request"}, {"text": "current_app and g", "correct": True}]
        edited = Question.model_validate({**OPEN.model_dump(), "options": options})
        await bot.store.update_question(post["question_id"], edited)
        again = await alice.click(msg, "Reveal answer")
        text = again.embed["description"]
        assert text.startswith("You already answered this one. You graded yourself **Good**"), text
        assert "Right:" not in text and "✅" not in text, text


async def test_reveal_after_a_multiple_choice_answer_does_not_call_it_a_self_grade(
    recall, emulator
):
    """The reverse: an option picked, then the question's options removed; Reveal answer on
    the redrawn post tells the answer given, not a self-grade the member never made."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        bot.get_cog("Quiz").count_delay = 0.3
        message = (await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")).message
        await bob.click(message, "D. uuid")
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        await bot.store.update_question(
            post["question_id"], Question.model_validate({**MC.model_dump(), "options": []})
        )
        await bob.click(message, "B. path")
        await emulator.wait_until(
            lambda: [b.label for b in message.buttons] == ["Reveal answer", "Next question"]
        )
        again = await bob.click(message, "Reveal answer")
        text = again.embed["description"]
        assert text.startswith(
            "❌ You already answered this one, when it was multiple choice: your answer was wrong"
        ), text
        assert "graded yourself" not in text, text


async def test_reveal_on_an_answered_question_tells_what_the_answer_earned(recall, emulator):
    """A second look at an answered question awards nothing: it says what the first answer
    earned, not "+2 points" as if newly given."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        revealed = await alice.click(msg, "Reveal answer")
        graded = await alice.click(revealed.message, "Good")
        assert "\n**+2 points**" in graded.message.embeds[0]["description"]
        again = await alice.click(msg, "Reveal answer")
        text = again.embed["description"]
        assert text.startswith(
            "You already answered this one. You graded yourself **Good**\nIt earned 2 points.\n"
        ), text
        assert "+2" not in text, text

        mc = (await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing")).message
        await bob.click(mc, "D. uuid")
        again = await bob.click(mc, "B. path")
        text = again.embed["description"]
        assert text.startswith(
            "❌ You already answered this one. You chose D; the answer is **B. path**\n"
            "It earned 1 point.\n"
        ), text


async def test_next_under_a_question_only_looked_at_balances_away_from_its_tag(recall, emulator):
    """Members who only looked at a public question (revealed, or not even that) and press
    Next get a question of a tag they have not just seen: the question they came from counts
    for its tags too, not only as a question not to repeat."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    members = [guild.add_member(f"m{i}") for i in range(10)]
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "testing", "Testing deck", "For tests")
        await bot.store.add_questions(deck_id, [OPEN, OPEN_2])
        posted = await alice.run("/quiz", channel=guild.general, deck="testing")
        assert posted.message.embeds[0]["fields"][1]["value"] == "`contexts`"
        await bot.store.add_questions(deck_id, [MC])  # the one question tagged routing
        for i, m in enumerate(members):
            if i % 2:
                await m.click(posted.message, "Reveal answer")
            following = await m.click(posted.message, "Next question")
            assert following.message.embeds[0]["description"].startswith(MC.prompt), m.name


async def test_no_match_in_a_server_with_many_decks_still_lists_the_decks_tags(recall, emulator):
    """The deck list of "No question matches" is shortened to fit one message (with how many
    more there are), so the tags of the deck asked for, what the member needs to fix the
    tag, are not cut off the end."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        for i in range(40):
            deck_id = await bot.store.create_deck(
                guild.id, f"deck-{i:02d}", f"Interview preparation deck number {i:02d} of many"
            )
            await bot.store.add_questions(deck_id, [OPEN.model_copy(update={"tags": [f"t{i}"]})])
        result = await alice.run("/quiz", channel=guild.general, deck="testing", tag="nope")
        text = result.content
        assert len(text) <= 2000
        assert text.startswith("No question matches with tag `nope`. Decks: "), text
        assert text.endswith(" more. Tags in **Testing deck**: `contexts`, `routing`."), text
        typo = await alice.run("/quiz", channel=guild.general, deck="tseting")
        assert typo.content.startswith("There is no deck called “tseting”. Decks: ")
        assert len(typo.content) <= 2000 and " more. Tags: `" in typo.content, typo.content


async def test_hint_taken_out_after_posting_says_so_and_its_button_goes(recall, emulator):
    """The question's *why it is asked* is taken out after it was posted: Hint says so
    (not that the question has none, with the button still there) and the public message
    is redrawn without the button."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)
        [post] = await bot.store._fetchall("SELECT id, question_id FROM posts")
        edited = Question.model_validate({**OPEN.model_dump(), "why": ""})
        await bot.store.update_question(post["question_id"], edited)
        hint = await bob.click(msg, "Hint")
        assert hint.ephemeral and hint.content == (
            "This question's hint was taken out after it was posted. "
            "The buttons are being updated."
        ), hint.content
        await emulator.wait_until(
            lambda: [b.label for b in msg.buttons] == ["Reveal answer", "Next question"]
        )
        private = await alice.run(
            "/quiz", channel=guild.general, deck="testing", tag="contexts", private=True
        )
        assert private.message.embeds[0]["description"] == OPEN_2.prompt
        [other] = await bot.store._fetchall("SELECT question_id FROM posts WHERE private = 1")
        edited = Question.model_validate({**OPEN_2.model_dump(), "why": ""})
        await bot.store.update_question(other["question_id"], edited)
        hint = await alice.click(private.message, "Hint")
        assert hint.content == "This question's hint was taken out after it was posted.", (
            hint.content
        )


async def test_a_quiz_from_a_deck_with_no_questions_says_the_deck_is_empty(recall, emulator):
    """Nothing was filtered, so "No question matches" would blame a filter the member did
    not give: the deck (or every deck that is on) has no questions, and it says so."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        empty = await bot.store.create_deck(guild.id, "empty", "Empty deck")
        result = await alice.run("/quiz", channel=guild.general, deck="empty")
        assert result.ephemeral and result.content.startswith(
            "The deck **Empty deck** has no questions; moderators add them with "
            "`/question add` or `/question import`. Decks: "
        ), result.content
        for deck in await bot.store.decks_for_guild(guild.id, include_disabled=True):
            if deck.builtin:
                await bot.store.set_deck_enabled(guild.id, deck.id, False)
        result = await alice.run("/quiz", channel=guild.general)
        assert result.content == (
            "The decks switched on in this server have no questions; moderators add them "
            "with `/question add` or `/question import`. Decks: **Empty deck** (`empty`, 0). "
            "Tags: none."
        ), result.content
        await bot.store.set_deck_enabled(guild.id, empty, False)
        result = await alice.run("/quiz", channel=guild.general)
        assert result.content == (
            "No decks are enabled in this server; a moderator can enable one with `/deck enable`."
        ), result.content


async def test_next_with_a_single_matching_question_says_it_comes_again(recall, emulator):
    """Next question can only give back the question it was pressed under when no other
    matches the filters: it says so, rather than look as if the button did nothing."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        msg = await post_open_question(alice, guild)  # the one medium question on contexts
        nxt = await bob.click(msg, "Next question")
        assert nxt.message.embeds[0]["description"] == OPEN.prompt
        assert nxt.content == (
            "No other question in **Testing deck** matches (tag `contexts`, difficulty "
            "medium), so here it is again."
        ), nxt.content
        other = (
            await alice.run("/quiz", channel=guild.general, deck="testing", tag="contexts")
        ).message
        fresh = await bob.click(other, "Next question")
        assert fresh.content == "", fresh.content


async def test_untagged_questions_take_turns_with_tagged_ones(recall, emulator):
    """Questions without tags are one group in tag balancing, not weightless: a deck of
    untagged and tagged questions alternates between the two, instead of giving every
    untagged question before any tagged one."""
    guild = emulator.add_guild("Study group")
    members = [guild.add_member(f"m{i}") for i in range(6)]
    untagged = [
        OPEN.model_copy(update={"id": f"plain-{i}", "prompt": f"Plain {i}?", "tags": []})
        for i in range(3)
    ]
    tagged = [
        OPEN.model_copy(update={"id": f"tagged-{i}", "prompt": f"Tagged {i}?", "tags": ["a"]})
        for i in range(3)
    ]
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "mixed", "Mixed deck")
        await bot.store.add_questions(deck_id, [*untagged, *tagged])
        for m in members:
            shown = []
            result = await m.run("/quiz", channel=guild.general, deck="mixed", private=True)
            for _ in range(4):
                shown.append(result.message.embeds[0]["description"])
                result = await m.click(result.message, "Next question")
            assert sum(s.startswith("Tagged") for s in shown) == 2, (m.name, shown)
            assert all(a[:6] != b[:6] for a, b in zip(shown[::2], shown[1::2], strict=True)), (m.name, shown)


async def test_an_answer_the_server_gives_no_points_for_says_why(recall, emulator):
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    async with recall.running() as bot:
        _, revealed = await revealed_open_question(bot, guild, alice, bob)
        # the values when the answer is graded count, not those when it was posted
        zero = {"scoring.quiz_self": "0", "scoring.quiz_wrong": "0"}
        await bot.store.set_guild_settings(guild.id, zero)
        graded = await bob.click(revealed.message, "Good")
        assert (
            "You graded yourself **Good**\nNo points: this server gives no points for a "
            "self-graded /quiz answer (`/help topic:scoring`).\n"
        ) in graded.message.embeds[0]["description"]
        mc = (await alice.run("/quiz", channel=guild.general, deck="testing", tag="routing"))
        wrong = await alice.click(mc.message, "A. string")
        assert wrong.embed["description"].startswith(
            "❌ You chose A; the answer is **B. path**\nNo points: this server gives no points "
            "for a wrong /quiz answer (`/help topic:scoring`).\n"
        ), wrong.embed["description"]


async def test_tag_autocomplete_follows_the_difficulty_chosen(recall, emulator):
    """With a difficulty chosen, the tags offered are those of questions of that difficulty,
    counted as such: a tag offered always matches something."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        easy = await alice.autocomplete("/quiz", "tag", "", deck="testing", difficulty="easy")
        assert [(c["value"], c["name"]) for c in easy] == [
            ("contexts", "contexts (1)"),
            ("routing", "routing (1)"),
        ]
        medium = await alice.autocomplete("/quiz", "tag", "", deck="testing", difficulty="medium")
        assert [(c["value"], c["name"]) for c in medium] == [("contexts", "contexts (1)")]
        assert await alice.autocomplete("/quiz", "tag", "", deck="testing", difficulty="hard") == []


async def test_a_tag_typed_as_a_hashtag_finds_the_tag(recall, emulator):
    """No tag starts with "#" (c# may hold one, not lead with it): "#routing", as members
    write tags elsewhere, is the tag routing, in the command and in its autocomplete."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    async with recall.running() as bot:
        await add_test_deck(bot, guild.id)
        offered = await alice.autocomplete("/quiz", "tag", "#rou", deck="testing")
        assert [c["value"] for c in offered] == ["routing"]
        posted = await alice.run("/quiz", channel=guild.general, deck="testing", tag="#Routing")
        assert not posted.ephemeral and posted.message.embeds[0]["description"].startswith(
            MC.prompt
        )


async def test_a_hint_added_after_posting_gets_its_button_with_the_next_count(recall, emulator):
    """The buttons are redrawn with the count, from the question as it is: a *why it is
    asked* written after the question was posted gets its Hint button there."""
    guild = emulator.add_guild("Study group")
    alice, bob = guild.add_member("alice"), guild.add_member("bob")
    plain = OPEN.model_copy(update={"id": "plain", "why": ""})
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "plain", "Plain deck")
        await bot.store.add_questions(deck_id, [plain])
        msg = (await alice.run("/quiz", channel=guild.general, deck="plain")).message
        assert [b.label for b in msg.buttons] == ["Reveal answer", "Next question"]
        [post] = await bot.store._fetchall("SELECT question_id FROM posts")
        await bot.store.update_question(post["question_id"], OPEN)
        revealed = await bob.click(msg, "Reveal answer")
        await bob.click(revealed.message, "Good")
        await emulator.wait_until(lambda: footer(msg).endswith("1 member answered"))
        assert [b.label for b in msg.buttons] == ["Reveal answer", "Hint", "Next question"]
        hint = await bob.click(msg, "Hint")
        assert hint.embed["description"] == OPEN.why


async def test_next_twice_from_a_question_only_looked_at_does_not_bring_it_back(recall, emulator):
    """A member who pressed Next under someone's public question has seen it, graded or
    not: with three questions, the second Next brings the one not seen yet, not the public
    one again (the member's history keeps the post Next was pressed under)."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    members = [guild.add_member(f"m{i}") for i in range(12)]
    third = OPEN.model_copy(update={"id": "third", "prompt": "A third question?"})
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "testing", "Testing deck", "For tests")
        await bot.store.add_questions(deck_id, [OPEN, OPEN_2, third])
        posted = await alice.run("/quiz", channel=guild.general, deck="testing")
        for m in members:
            first = await m.click(posted.message, "Next question")
            second = await m.click(first.message, "Next question")
            shown = [r.message.embeds[0]["description"] for r in (posted, first, second)]
            assert len(set(shown)) == 3, (m.name, shown)


async def test_a_hint_quotes_a_prompt_with_code_on_one_line(recall, emulator):
    """The hint's footer quotes the question, shown as it is: a code block came with its
    fences and every line of its code. It is quoted on one line, the code left out."""
    guild = emulator.add_guild("Study group")
    alice = guild.add_member("alice")
    coded = OPEN.model_copy(
        update={"id": "code-1", "prompt": "What does this print?\n```py\nprint(g)\n```"}
    )
    async with recall.running() as bot:
        deck_id = await bot.store.create_deck(guild.id, "coded", "Code deck", "For tests")
        await bot.store.add_questions(deck_id, [coded])
        posted = await alice.run("/quiz", channel=guild.general, deck="coded")
        hint = await alice.click(posted.message, "Hint")
        assert hint.embed["footer"]["text"] == "What does this print?"
