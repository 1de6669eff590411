"""Suggestions end to end: /suggest question and status, the review channel buttons (approve,
edit and approve, reject with a reason), DMs to the member, and the pending cap."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime

import discord
import pytest
from emulator.faults import DROP
from test_e2e_bank import assert_refused_with_the_command_again
from test_e2e_slow_writes import TOO_LONG, write_lock_held

from bot.clock import FixedClock
from bot.questions import Question
from bot.store import StoreError

pytestmark = pytest.mark.e2e
#: what heads the `why` given with a command in the text of a form given back
WHY_HEADING = "Why it is asked (the command's why option)"

MANAGE = discord.Permissions(manage_guild=True).value


def form(n: int = 1, **changes: str) -> dict[str, str]:
    return {
        "prompt": f"What does flask.g hold, case {n}?",
        "answer": "Data for one application context, such as a database connection.",
        "key_points": "per app context\ncleared after the request",
        "tags": "contexts",
        **changes,
    }


async def setup(emulator, recall):
    guild = emulator.add_guild("Study group")
    mod = guild.add_member("mod", permissions=MANAGE)
    alice = guild.add_member("alice")
    review = guild.add_channel("review")
    return guild, mod, alice, review


async def open_suggestions(mod, review):
    await mod.run("/deck create", name="Team Flask")
    done = await mod.run("/settings review-channel", options={"channel": review})
    assert "will be posted in" in done.content


async def suggest(member, n: int = 1, **changes: str):
    opened = await member.run("/suggest question")
    assert opened.modal is not None, opened.content
    return await member.submit(opened.modal, **form(n, **changes))


async def test_suggest_closed_until_review_channel_then_approve(recall, emulator):
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        closed = await alice.run("/suggest question")
        assert "isn't taking suggestions yet" in closed.content
        await mod.run("/settings review-channel", options={"channel": review})
        no_deck = await alice.run("/suggest question")
        assert "no deck of its own" in no_deck.content
        await mod.run("/deck create", name="Team Flask")

        sent = await suggest(alice)
        assert sent.ephemeral and "Suggestion #1 for **Team Flask** is waiting" in sent.content
        [posted] = emulator.channel_messages(review)
        assert posted.embeds[0]["title"] == "Suggestion #1 for Team Flask"
        assert [b.label for b in posted.buttons] == ["Approve", "Edit and approve", "Reject"]
        status = await alice.run("/suggest status")
        assert "⏳ waiting for review" in status.embed["description"]

        refused = await alice.click(posted, "Approve")
        assert "Only moderators" in refused.content

    # The review buttons survive a restart.
    async with recall.running() as bot:
        approved = await mod.click(posted, "Approve")
        assert approved.response_type == 6 and not approved.followups  # deferred, then edited
        outcome = posted.embeds[0]["fields"][-1]["value"]
        assert outcome.startswith(f"✅ Approved by {mod.mention}: now question #")
        assert posted.buttons == []
        qid = int(outcome.rsplit("#", 1)[1].rstrip("."))
        sq = await bot.store.question(qid)
        assert sq is not None and sq.deck_name == "Team Flask"
        assert sq.question.prompt == form()["prompt"]
        await emulator.wait_until(lambda: emulator.dms(alice))
        [dm] = emulator.dms(alice)
        assert f"was approved: it is now question #{qid}" in dm.content
        status = await alice.run("/suggest status")
        assert f"✅ approved as question #{qid}" in status.embed["description"]


async def test_edit_and_approve_and_reject_with_closed_dms(recall, emulator, caplog):
    caplog.set_level(logging.INFO, logger="cogs.suggest")
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        await suggest(alice, 2)
        first, second = emulator.channel_messages(review)

        opened = await mod.click(first, "Edit and approve")
        values = {t.custom_id: t.value for t in opened.modal.text_inputs}
        assert values["prompt"] == form(1)["prompt"]
        assert values["key_points"] == "per app context\ncleared after the request"
        edited = await mod.submit(
            opened.modal, **{**{k: v or "" for k, v in values.items()}, "answer": "Edited answer."}
        )
        assert edited.response_type == 6 and not edited.followups
        assert "✅ Approved with edits by" in first.embeds[0]["fields"][-1]["value"]
        s = await bot.store.suggestion(1)
        stored = await bot.store.question(s.question_id)
        assert stored.question.answer == "Edited answer."
        await emulator.wait_until(lambda: emulator.dms(alice))

        emulator.close_dms(alice)
        opened = await mod.click(second, "Reject")
        assert opened.modal is not None
        rejected = await mod.submit(opened.modal, reason="Too close to #1.")
        assert rejected.response_type == 6 and not rejected.followups
        assert "❌ Rejected by" in second.embeds[0]["fields"][-1]["value"]
        assert "Too close to #1." in second.embeds[0]["fields"][-1]["value"]
        await emulator.wait_until(lambda: "does not accept DMs" in caplog.text)
        assert len(emulator.dms(alice)) == 1  # only the approval; the rejection found DMs closed
        status = await alice.run("/suggest status")
        assert "❌ rejected: Too close to #1." in status.embed["description"]


async def test_pending_cap_and_duplicates(recall, emulator):
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        for n in range(5):
            await suggest(alice, n)
        capped = await alice.run("/suggest question")
        assert "already have 5 suggestions waiting" in capped.content
        assert await bot.store.pending_suggestions(guild.id, alice.id) == 5

        # A suggestion of a question the deck already has is refused when it is sent.
        messages = emulator.channel_messages(review)
        await mod.click(messages[0], "Approve")
        bob = guild.add_member("bob")
        refused = await suggest(bob, 0, prompt="WHAT does flask.g hold,  case 0")
        assert refused.ephemeral and refused.content.startswith(
            "**Team Flask** already has that question"
        )
        assert await bot.store.pending_suggestions(guild.id, bob.id) == 0
        assert len(emulator.channel_messages(review)) == len(messages)
        # One that became a duplicate while it waited cannot be approved.
        await suggest(bob, 1)
        await mod.click(messages[1], "Approve")
        dup = emulator.channel_messages(review)[-1]
        refused = await mod.click(dup, "Approve")
        # Found in the write, after the click was answered: told in a private followup.
        assert "already has this question" in (refused.told or ""), refused
        # Room again for alice after a decision.
        assert (await alice.run("/suggest question")).modal is not None


async def test_a_suggestion_the_review_channel_never_got_is_not_left_waiting(recall, emulator):
    """The review channel is gone: no moderator can ever see the suggestion, so it must not
    stay waiting (forever, counting towards the member's cap); the member gets back what
    they typed."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await emulator.delete_channel(review)
        sent = await suggest(alice, 1)
        assert sent.ephemeral
        assert "couldn't be posted in the review channel" in sent.content, sent.content
        assert "/settings review-channel" in sent.content
        [attached] = sent.message.attachments
        assert form(1)["answer"] in attached.data.decode()
        assert await bot.store.pending_suggestions(guild.id, alice.id) == 0
        status = await alice.run("/suggest status")
        assert "haven't suggested any questions" in status.content
        # Once a moderator sets a working channel, the member can send it again.
        review2 = guild.add_channel("review-2")
        await mod.run("/settings review-channel", options={"channel": review2})
        again = await suggest(alice, 1)
        assert "is waiting for review" in again.content
        [posted] = emulator.channel_messages(review2)
        assert posted.buttons


async def test_the_review_channel_setting_says_when_suggestions_cannot_be_posted_there(
    recall, emulator
):
    """A refused suggestion sends the member's moderators to /settings review-channel: it
    says what is wrong there (the bot may not post in the channel, or it is gone) instead
    of naming the channel as if all were well."""
    _guild, mod, _alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        shown = await mod.run("/settings review-channel")
        assert shown.content == f"Suggestions are reviewed in <#{review.id}>."
        review.revoke_bot_permission(discord.Permissions(send_messages=True).value)
        await emulator.settle()
        shown = await mod.run("/settings review-channel")
        assert shown.ephemeral
        assert shown.content.startswith(
            f"Suggestions are reviewed in <#{review.id}>, but I can't post there"
        ), shown.content
        assert "Send Messages" in shown.content
        await emulator.delete_channel(review)
        await emulator.settle()
        shown = await mod.run("/settings review-channel")
        assert "that channel no longer exists" in shown.content, shown.content
        assert "`/settings review-channel channel:`" in shown.content


async def test_a_suggestion_lost_to_a_network_error_on_its_review_post_is_not_left_waiting(
    recall, emulator
):
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        emulator.faults.add("POST", rf"/channels/{review.id}/messages$", status=DROP)
        sent = await suggest(alice, 1)
        assert sent.ephemeral
        assert "couldn't be posted in the review channel" in sent.content, sent.content
        [attached] = sent.message.attachments
        assert form(1)["answer"] in attached.data.decode()
        assert await bot.store.pending_suggestions(guild.id, alice.id) == 0
        # The network is back: the same suggestion goes through.
        again = await suggest(alice, 1)
        assert "is waiting for review" in again.content
        [posted] = emulator.channel_messages(review)
        assert posted.buttons


async def test_a_review_channel_without_embed_links_is_named_not_sent_an_empty_post(
    recall, emulator
):
    """Without Embed Links Discord drops a review post's embed: moderators got the Approve
    and Reject buttons with nothing above them, while the member was told it waited for
    review. Now nothing is saved or posted, and the member hears what is missing where."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        review.revoke_bot_permission(discord.Permissions(embed_links=True).value)
        await emulator.settle()
        sent = await suggest(alice, 1)
        assert sent.ephemeral
        assert sent.content.startswith(
            f"Your suggestion couldn't be posted in the review channel <#{review.id}>: "
            "Recall lacks **Embed Links** there, so it was not saved. A moderator can give "
            "Recall that (channel settings → Permissions → Recall) or choose another channel "
            "with `/settings review-channel`."
        ), sent.content
        [attached] = sent.message.attachments
        assert form(1)["answer"] in attached.data.decode()
        assert emulator.channel_messages(review) == []
        assert await bot.store.pending_suggestions(guild.id, alice.id) == 0
        shown = await mod.run("/settings review-channel")
        assert "give me **Embed Links** there" in shown.content, shown.content
        # Fixed: the same suggestion goes through, with its embed.
        review.set_permissions(guild.me)
        await emulator.settle()
        again = await suggest(alice, 1)
        assert "is waiting for review" in again.content
        [posted] = emulator.channel_messages(review)
        assert posted.embeds and posted.buttons


async def test_a_network_error_on_the_members_dm_does_not_undo_or_hide_an_approval(
    recall, emulator, caplog
):
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [posted] = emulator.channel_messages(review)
        emulator.faults.add("POST", r"/users/@me/channels$", status=DROP)
        replies = len(emulator.ephemeral_messages(mod))
        with caplog.at_level(logging.WARNING):
            approved = await mod.click(posted, "Approve")
            # The member is told after the moderator's answer.
            await emulator.wait_until(lambda: "could not DM member" in caplog.text)
        assert approved.response_type == 6 and not approved.followups  # deferred, then edited
        assert posted.embeds[0]["fields"][-1]["value"].startswith(f"✅ Approved by {mod.mention}")
        assert len(emulator.ephemeral_messages(mod)) == replies  # no error reply
        assert emulator.dms(alice) == []
        status = await alice.run("/suggest status")
        assert "✅ approved as question #" in status.embed["description"]


async def test_a_suggestion_whose_deck_was_removed_says_to_reject_it(recall, emulator):
    """Its deck removed, a suggestion can't be approved: both approve buttons say so and
    what to do instead, and Edit and approve opens no form whose edits would be lost."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [posted] = emulator.channel_messages(review)
        asked = await mod.run("/deck remove", deck="team-flask")
        # Told before removing it: the moderator removing it may not read the review channel.
        assert asked.embed["description"].endswith(
            "\n\n1 suggestion for it is waiting for review: once it is removed, it can't be "
            "approved; **Reject** it in the review channel to let the member know."
        ), asked.embed["description"]
        s = await bot.store.suggestion(1)
        another = s.question.model_copy(update={"id": "two", "prompt": "Another one?"})
        await bot.store.create_suggestion(s.guild_id, alice.id, s.deck_id, another, 5)
        asked = await mod.run("/deck remove", deck="team-flask")
        assert asked.embed["description"].endswith(
            "\n\n2 suggestions for it are waiting for review: once it is removed, they can't "
            "be approved; **Reject** them in the review channel to let the members know."
        ), asked.embed["description"]
        await mod.click(asked.message, "Remove deck")
        for label in ("Approve", "Edit and approve"):
            refused = await mod.click(posted, label)
            assert refused.modal is None, label
            assert "has been removed" in refused.content and "Reject" in refused.content, (
                label,
                refused.content,
            )
        assert (await bot.store.suggestion(1)).state == "pending"
        opened = await mod.click(posted, "Reject")
        await mod.submit(opened.modal, reason="The deck is gone.")
        assert (await bot.store.suggestion(1)).state == "rejected"
        await emulator.wait_until(lambda: emulator.dms(alice))  # the DM of the outcome


async def test_status_shows_a_suggestion_still_waiting_behind_many_decided_ones(recall, emulator):
    from bot.questions import Question

    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]

        def q(n: int) -> Question:
            return Question(id=f"q{n}", prompt=f"Question number {n}?", answer="An answer.")

        waiting = await bot.store.create_suggestion(guild.id, alice.id, deck.id, q(0), 5)
        for n in range(1, 17):
            sid = await bot.store.create_suggestion(guild.id, alice.id, deck.id, q(n), 5)
            await bot.store.reject_suggestion(sid, mod.id, "Not for this deck.")
        status = await alice.run("/suggest status")
        assert f"**#{waiting}** Question number 0?" in status.embed["description"]
        assert status.embed["footer"]["text"].startswith("1 waiting")


async def test_suggesting_for_a_builtin_deck_tells_the_member_where_suggestions_go(
    recall, emulator
):
    """A member who names a built-in deck is told which decks take suggestions, not how a
    moderator copies a deck (commands the member can't use)."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        refused = await alice.run("/suggest question", deck="flask")
        assert refused.modal is None
        assert "/deck create" not in refused.content, refused.content
        assert "`team-flask`" in refused.content, refused.content


async def test_a_suggestion_goes_to_the_review_channel_set_when_it_is_sent(recall, emulator):
    """A moderator moves the review channel while a member has the form open: the
    suggestion is posted where moderators now review, not in the channel left behind."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        opened = await alice.run("/suggest question")
        review2 = guild.add_channel("review-2")
        await mod.run("/settings review-channel", options={"channel": review2})
        sent = await alice.submit(opened.modal, **form(1))
        assert "is waiting for review" in sent.content, sent.content
        assert emulator.channel_messages(review) == []
        [posted] = emulator.channel_messages(review2)
        assert posted.buttons
        # Suggestions closed while a form is open: nothing saved, the text given back.
        opened = await alice.run("/suggest question")
        await mod.run("/settings review-channel", clear=True)
        sent = await alice.submit(opened.modal, **form(2))
        assert "stopped taking suggestions" in sent.content, sent.content
        [attached] = sent.message.attachments
        assert form(2)["prompt"] in attached.data.decode()
        assert len(emulator.channel_messages(review2)) == 1


async def test_the_review_post_shows_a_long_model_answer_whole_and_says_when_it_trims(
    recall, emulator
):
    _guild, mod, alice, review = await setup(emulator, recall)
    long_answer = "\n".join(
        f"Line {i}: the application context is pushed for request number {i}." for i in range(40)
    )
    assert 2000 < len(long_answer) <= 4000
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, answer=long_answer)
        [posted] = emulator.channel_messages(review)
        embed = posted.embeds[0]
        names = [f["name"] for f in embed["fields"]]
        start = names.index("Model answer")
        shown = [f["value"] for f in embed["fields"][start:]]
        assert len(shown) > 1 and all(len(v) <= 1024 for v in shown)
        assert "\n".join(shown) == long_answer
        assert "footer" not in embed

        # The largest suggestion the form takes cannot fit in one embed: it is trimmed to
        # Discord's 6,000 characters and says where the full text is.
        await suggest(
            alice,
            2,
            prompt="Why " + "is the context pushed " * 45 + "?",
            key_points="\n".join(f"point {i} " + "x" * 280 for i in range(8)),
            answer="word " * 799 + "end",
        )
        second = emulator.channel_messages(review)[-1].embeds[0]
        total = len(second["title"]) + len(second["description"]) + sum(
            len(f["name"]) + len(f["value"]) for f in second["fields"]
        ) + len(second["footer"]["text"])
        assert total <= 6000
        assert second["footer"]["text"] == (
            "Trimmed to fit Discord: Edit and approve shows the full text."
        )
        edit = await mod.click(emulator.channel_messages(review)[-1], "Edit and approve")
        assert edit.modal is not None
        values = {t.custom_id: t.value for t in edit.modal.text_inputs}
        assert values["answer"] == "word " * 799 + "end"


async def test_why_it_is_asked_goes_with_a_suggestion_to_review_and_into_the_deck(
    recall, emulator
):
    """/suggest question takes a `why` as /question add does: the review post shows it, and
    Approve and Edit and approve both keep it, so the quiz's Hint shows it at once."""
    from bot.questions import WHY_MAX

    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        [suggest_cmd] = [
            o
            for o in emulator.commands.find(guild.id, "suggest")["options"]
            if o["name"] == "question"
        ]
        why_option = {o["name"]: o for o in suggest_cmd["options"]}["why"]
        assert why_option["max_length"] == WHY_MAX and not why_option.get("required")
        assert f"(at most {WHY_MAX:,} characters)" in why_option["description"]

        opened = await alice.run("/suggest question", why="  To see whether they know g.  ")
        sent = await alice.submit(opened.modal, **form(1))
        assert "is waiting for review" in sent.content, sent.content
        opened = await alice.run("/suggest question", why="Contexts trip people up.")
        await alice.submit(opened.modal, **form(2))
        first, second = emulator.channel_messages(review)
        fields = {f["name"]: f["value"] for f in first.embeds[0]["fields"]}
        assert fields["Why it is asked"] == "To see whether they know g.", fields
        assert (await bot.store.suggestion(1)).question.why == "To see whether they know g."

        await mod.click(first, "Approve")
        qid = (await bot.store.suggestion(1)).question_id
        assert (await bot.store.question(qid)).question.why == "To see whether they know g."
        after = {f["name"]: f["value"] for f in first.embeds[0]["fields"]}
        assert after["Why it is asked"] == "To see whether they know g."

        opened = await mod.click(second, "Edit and approve")
        values = {t.custom_id: t.value or "" for t in opened.modal.text_inputs}
        await mod.submit(opened.modal, **{**values, "answer": "Edited answer."})
        qid2 = (await bot.store.suggestion(2)).question_id
        edited = (await bot.store.question(qid2)).question
        assert edited.answer == "Edited answer." and edited.why == "Contexts trip people up."

        posted = await alice.run("/quiz", deck="team-flask")
        hint = await alice.click(posted.message, "Hint")
        assert hint.embed["description"] in (
            "To see whether they know g.",
            "Contexts trip people up.",
        )


async def test_a_bad_or_lost_why_of_a_suggestion_comes_back_to_the_member(recall, emulator):
    """A blank `why` is refused before the form opens, with what was typed; a refusal for
    another reason gives the `why` back too; a form sent after a restart gives back the
    `why` typed with the command (kept in the database while the form was open)."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        closed = await alice.run("/suggest question", why="A reason.")
        assert closed.modal is None and "isn't taking suggestions yet" in closed.content
        [attached] = closed.message.attachments
        assert attached.data.decode() == f"## {WHY_HEADING}\nA reason."

        await open_suggestions(mod, review)
        blank = await alice.run("/suggest question", why=" \n ")
        assert blank.modal is None and blank.ephemeral
        assert "`why` is blank" in blank.content
        opened = await alice.run("/suggest question", why="Kept across a restart.")
        assert opened.modal is not None
        assert await bot.store._fetchone("SELECT why FROM form_drafts") is not None

    async with recall.running() as bot:
        sent = await alice.submit(opened.modal, **form(1))
        assert sent.ephemeral and "was not saved" in sent.content, sent.content
        [attached] = sent.message.attachments
        text = attached.data.decode()
        assert f"## {WHY_HEADING}\nKept across a restart." in text and form(1)["prompt"] in text
        assert await bot.store.suggestion(1) is None
        assert emulator.channel_messages(review) == []


async def test_the_review_post_of_the_largest_suggestion_shows_its_why_whole(recall, emulator):
    """The form's largest texts with a `why` of the most characters: the post fits Discord's
    6,000 and shows the why whole (Edit and approve's form, which shows the rest in full,
    has no room for it)."""
    from bot.questions import WHY_MAX

    _guild, mod, alice, review = await setup(emulator, recall)
    why = ("Knowing when the context is pushed matters. " * 30)[:WHY_MAX].strip()
    async with recall.running():
        await open_suggestions(mod, review)
        opened = await alice.run("/suggest question", why=why)
        sent = await alice.submit(
            opened.modal,
            **form(
                1,
                prompt="Why " + "is the context pushed " * 45 + "?",
                key_points="\n".join(f"point {i} " + "x" * 280 for i in range(8)),
                answer="word " * 799 + "end",
            ),
        )
        assert "is waiting for review" in sent.content, sent.content
        [posted] = emulator.channel_messages(review)
        embed = posted.embeds[0]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields["Why it is asked"] == why
        total = len(embed["title"]) + len(embed["description"]) + sum(
            len(f["name"]) + len(f["value"]) for f in embed["fields"]
        ) + len(embed["footer"]["text"])
        assert total <= 6000


async def test_the_same_suggestion_sent_twice_at_once_waits_once(recall, emulator):
    """Two forms with the same question sent together (a form sent twice, or opened twice
    and filled in alike): one suggestion waits, with one review post; the other send is told
    which suggestion it already is."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        forms = [(await alice.run("/suggest question")).modal for _ in range(2)]
        sent = await asyncio.gather(*(alice.submit(f, **form(1)) for f in forms))
        assert [s.id for s in await bot.store.member_suggestions(guild.id, alice.id)] == [1]
        assert len(emulator.channel_messages(review)) == 1
        thanks, again = sorted(sent, key=lambda r: not r.content.startswith("Thanks!"))
        assert thanks.content.startswith("Thanks! Suggestion #1 for **Team Flask** is waiting")
        assert again.ephemeral and again.content.startswith(
            "You already suggested this question: it is waiting for review as suggestion #1."
        ), again.content
        # Worded alike but for case and punctuation, it is the same question.
        opened = await alice.run("/suggest question")
        later = await alice.submit(opened.modal, **form(1, prompt="what does FLASK.g hold, case 1"))
        assert later.content.startswith("You already suggested this question"), later.content
        assert len(emulator.channel_messages(review)) == 1


async def test_a_reject_form_open_across_a_restart_gives_the_reason_back(recall, emulator):
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice)
        [posted] = emulator.channel_messages(review)
        opened = await mod.click(posted, "Reject")
        assert opened.modal is not None
    async with recall.running() as bot:
        sent = await mod.submit(opened.modal, reason="Too vague.")
        assert sent.ephemeral and sent.content.startswith("Recall restarted while this form was open")
        [attached] = sent.message.attachments
        assert "Too vague." in attached.data.decode()
        assert (await bot.store.suggestion(1)).state == "pending"
        assert [b.label for b in posted.buttons] == ["Approve", "Edit and approve", "Reject"]


async def test_a_review_post_that_could_not_be_recorded_is_still_reported_as_waiting(
    recall, emulator, caplog, monkeypatch
):
    """The suggestion is saved and its review post sent, but the write that records which
    message it is fails (the database stays busy): the suggestion waits for review all the
    same, so the member is told it does, not that it was not saved; the post is recorded
    once the database takes writes again."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        # The bot loads its cogs as fresh modules: the one to patch is the one it loaded.
        monkeypatch.setattr(sys.modules["cogs.suggest"], "RECORD_RETRIES", (0.5, 1.0, 2.0))
        await open_suggestions(mod, review)
        # The first try of the review post is rate limited: while the bot waits to send it
        # again, another connection takes the write lock, and keeps it past the store's wait.
        emulator.faults.add("POST", rf"/channels/{review.id}/messages$", retry_after=0.5)
        opened = await alice.run("/suggest question")
        sending = asyncio.create_task(alice.submit(opened.modal, **form(1)))
        await emulator.wait_until(lambda: emulator.faults.fired)
        with caplog.at_level(logging.WARNING):
            async with write_lock_held(recall.db, TOO_LONG):
                sent = await sending
                await sent.settled(within=TOO_LONG + 2)
        assert sent.ephemeral
        assert "Suggestion #1 for **Team Flask** is waiting for review" in sent.content, (
            sent.content
        )
        assert "not saved" not in sent.content and not sent.message.attachments
        assert "could not record the review post of suggestion 1" in caplog.text
        [posted] = emulator.channel_messages(review)
        s = await bot.store.suggestion(1)
        assert s is not None and s.state == "pending"
        # Recorded on a later try: it holds its place under the member's cap as any other.
        for _ in range(50):
            s = await bot.store.suggestion(1)
            if s.message_id is not None:
                break
            await asyncio.sleep(0.1)
        assert (s.channel_id, s.message_id) == (review.id, posted.id)
        assert await bot.store.pending_suggestions(guild.id, alice.id) == 1
        # It is what the member was told: a moderator can approve it from its post.
        approved = await mod.click(posted, "Approve")
        assert approved.response_type == 6
        assert posted.embeds[0]["fields"][-1]["value"].startswith(f"✅ Approved by {mod.mention}")


async def saved_but_never_posted(bot, guild, member) -> int:
    """A suggestion saved as when the bot stops before its review post goes out."""
    [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
    lost = Question(id="lost", prompt="A question that never got a post?", answer="A.")
    return await bot.store.create_suggestion(guild.id, member.id, deck.id, lost, 5)


async def test_a_suggestion_whose_review_post_never_went_out_stops_counting_after_five_minutes(
    recall, emulator
):
    """The bot stopped between saving a suggestion and posting it for review: no moderator
    has it, so five minutes on it no longer holds a place among the five a member may have
    waiting, in the command's own check as in the save."""
    recall.clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await saved_but_never_posted(bot, guild, alice)
        recall.clock.advance(minutes=6)
        for n in range(4):
            sent = await suggest(alice, n)
            assert "is waiting for review" in sent.content, sent.content
        opened = await alice.run("/suggest question")
        assert opened.modal is not None, opened.content
        sent = await alice.submit(opened.modal, **form(4))
        assert "Suggestion #6 for **Team Flask** is waiting for review" in sent.content
        capped = await alice.run("/suggest question")
        assert "already have 5 suggestions waiting" in capped.content


async def test_status_shows_whole_lines_when_long_reasons_fill_it(recall, emulator):
    """Fifteen suggestions with long prompts and long reasons take more than an embed holds:
    the list ends after the last line that fits, and says older ones are left out, instead
    of a line cut in the middle."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        for n in range(15):
            q = Question(id=f"q{n}", prompt=f"Question {n:02} " + "x" * 60 + "?", answer="A.")
            sid = await bot.store.create_suggestion(guild.id, alice.id, deck.id, q, 5)
            reason = f"Reason {n:02}: " + "too close to another question " * 6 + "END."
            await bot.store.reject_suggestion(sid, mod.id, reason)
        status = await alice.run("/suggest status")
        lines = status.embed["description"].split("\n")
        assert len(status.embed["description"]) <= 4096
        *shown, note = lines
        assert 5 < len(shown) < 15
        assert all(line.startswith("**#") and line.endswith("END.") for line in shown), lines
        assert note == "… older suggestions are not shown."


async def test_a_rejection_the_database_could_not_save_gives_the_reason_back(
    recall, emulator, error_logs
):
    """The write of a rejection fails (the database stays busy): the moderator is told so,
    privately, with the reason they typed attached, and the suggestion still waits."""
    from bot.client import STORAGE_REPLIES

    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await suggest(alice)
        [posted] = emulator.channel_messages(review)
        opened = await mod.click(posted, "Reject")
        emulator.settle_deferred_updates = False
        async with write_lock_held(recall.db, TOO_LONG):
            sent = await mod.submit(opened.modal, reason="Covered by question #3 already.")
            await sent.wait_for(lambda a: a.followups, within=TOO_LONG + 2)
        [reply] = sent.followups
        assert reply.ephemeral and reply.content.startswith(STORAGE_REPLIES["busy"]), reply.content
        assert "What you typed is attached" in reply.content
        [attached] = reply.attachments
        assert "Covered by question #3 already." in attached.data.decode()
        assert (await bot.store.suggestion(1)).state == "pending"
        assert [b.label for b in posted.buttons] == ["Approve", "Edit and approve", "Reject"]
        assert len(error_logs) == 1 and "is busy" in error_logs[0].getMessage()
        error_logs.clear()


async def test_status_says_a_suggestion_whose_review_post_never_went_out_was_not_received(
    recall, emulator
):
    """Five minutes on, a suggestion the review channel never got (the bot stopped between
    saving and posting it) is shown as not received, to send again, and is not counted as
    waiting: no moderator will ever see it."""
    recall.clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        lost = await saved_but_never_posted(bot, guild, alice)
        status = await alice.run("/suggest status")
        assert "⏳ waiting for review" in status.embed["description"]  # still being posted
        recall.clock.advance(minutes=6)
        await suggest(alice, 1)
        status = await alice.run("/suggest status")
        lines = status.embed["description"].split("\n")
        [line] = [ln for ln in lines if ln.startswith(f"**#{lost}**")]
        assert "never reached the review channel" in line and "waiting" not in line, line
        assert status.embed["footer"]["text"].startswith("1 waiting")


async def test_refusals_naming_a_deck_show_its_name_as_typed(recall, emulator):
    """A deck named with Markdown marks (``__init__``) is named as typed when a new deck
    takes its name or a suggestion repeats one of its questions, not in bold and underline."""
    _guild, mod, alice, review = await setup(emulator, recall)
    shown = r"**\_\_init\_\_ and friends**"
    async with recall.running():
        await mod.run("/deck create", name="__init__ and friends")
        await mod.run("/settings review-channel", options={"channel": review})
        taken = await mod.run("/deck create", name="__init__ and friends")
        assert f"There is already a deck called {shown}" in taken.content, taken.content
        await suggest(alice, 1)
        [posted] = emulator.channel_messages(review)
        await mod.click(posted, "Approve")
        again = await suggest(alice, 1)
        assert again.content.startswith(f"{shown} already has that question"), again.content


async def test_which_deck_lists_the_decks_and_says_how_many_more(recall, emulator):
    """A member with many decks to choose from is told how many more there are than the
    refusal lists, not shown twenty as if they were all."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await mod.run("/settings review-channel", options={"channel": review})
        for n in range(24):
            await bot.store.create_custom_deck(guild.id, f"Team deck {n:02}", "", mod.id)
        asked = await alice.run("/suggest question")
        assert asked.content.startswith("Which deck is it for?"), asked.content
        shown = asked.content.count("`team-deck-")
        assert asked.content.endswith(f"… and {24 - shown} more"), asked.content
        refused = await alice.run("/suggest question", deck="flask")
        assert "built-in decks take no suggestions" in refused.content
        assert refused.content.endswith(f"… and {24 - shown} more"), refused.content


async def test_a_refused_suggestion_says_how_to_open_its_form_again_as_it_was(recall, emulator):
    """The difficulty and the `why` of a suggestion are given with the command: a form
    refused for a mistake names the command to run again with them."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        opened = await alice.run("/suggest question", difficulty="hard", why="A reason.")
        refused = await alice.submit(opened.modal, **form(1, options="a\nb"))
        await assert_refused_with_the_command_again(
            bot,
            refused, "/suggest question deck:team-flask difficulty:hard", "A reason."
        )
        assert emulator.channel_messages(review) == []


async def test_an_unknown_deck_lists_only_the_decks_that_take_suggestions(recall, emulator):
    """A deck name mistyped: the refusal lists the decks a member may suggest for (the
    server's own), not the built-in ones, which take no suggestions."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        refused = await alice.run("/suggest question", deck="team-flsk", why="A reason.")
        assert refused.modal is None
        assert "no deck called “team-flsk”" in refused.content, refused.content
        assert "`team-flask`" in refused.content
        assert "`flask`" not in refused.content and "`python`" not in refused.content
        [attached] = refused.message.attachments
        assert attached.data.decode() == f"## {WHY_HEADING}\nA reason."


async def test_status_lines_cut_inside_code_close_the_code(recall, emulator):
    """A prompt or a reason cut to fit its line of `/suggest status` inside a code span
    closes it, or its backtick would pair with the next line's and show it as code."""
    from test_e2e_bank import code_spans_closed

    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        [deck] = [d for d in await bot.store.decks_for_guild(guild.id) if not d.builtin]
        prompt = "What does `" + "session.modified." * 8 + "` do?"
        q = Question(id="q1", prompt=prompt, answer="A.")
        sid = await bot.store.create_suggestion(guild.id, alice.id, deck.id, q, 5)
        await bot.store.reject_suggestion(sid, mod.id, "See `" + "app.config." * 30 + "`.")
        q2 = Question(id="q2", prompt="What is `g`?", answer="A.")
        await bot.store.create_suggestion(guild.id, alice.id, deck.id, q2, 5)
        status = await alice.run("/suggest status")
        lines = status.embed["description"].split("\n")
        assert len(lines) == 2
        assert all(code_spans_closed(line) for line in lines), lines
        assert "`session.modified.session" in lines[1] and "`…" in lines[1]


async def test_the_outcome_dm_names_the_server_the_suggestion_was_made_in(recall, emulator):
    """A DM reads outside any server: "Your suggestion #3 for Team Flask was approved" did
    not say where, and a member of two study servers (both with a deck of that name, say)
    could not tell which. It names the server, linked to it, as reminders do."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        await suggest(alice, 2)
        first, second = emulator.channel_messages(review)
        await mod.click(first, "Approve")
        rejecting = await mod.click(second, "Reject")
        await mod.submit(rejecting.modal, reason="Covered by #1.")
        await emulator.wait_until(lambda: len(emulator.dms(alice)) == 2)
        link = f"[Study group](https://discord.com/channels/{guild.id})"
        approved, rejected = emulator.dms(alice)
        assert f"for **Team Flask** on {link} was approved" in approved.content
        assert f"for **Team Flask** on {link} was not added. Reason: Covered by #1." in (
            rejected.content
        )


async def test_a_reason_written_as_a_list_keeps_its_lines(recall, emulator):
    """A reason of several lines (a list of what to change) was run together on one line
    in the member's DM and on the review post. Its lines stay; blanks within a line and
    runs of empty lines are tidied."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [posted] = emulator.channel_messages(review)
        rejecting = await mod.click(posted, "Reject")
        await mod.submit(
            rejecting.modal,
            reason="\n  Two things to change:\n- name   the Flask version\n\n\n\n- add an example  \n",
        )
        await emulator.wait_until(lambda: len(emulator.dms(alice)) == 1)
        lines = "Two things to change:\n- name the Flask version\n\n- add an example"
        [dm] = emulator.dms(alice)
        assert dm.content.endswith(f"was not added. Reason:\n{lines}"), dm.content
        [outcome] = [f for f in posted.embeds[0]["fields"] if f["name"] == "Outcome"]
        assert outcome["value"] == f"❌ Rejected by {mod.mention}:\n{lines}"


async def test_a_reason_with_a_nul_character_is_refused_and_given_back(recall, emulator):
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        [posted] = emulator.channel_messages(review)
        rejecting = await mod.click(posted, "Reject")
        sent = await mod.submit(rejecting.modal, reason="Too\x00vague.")
        assert sent.ephemeral
        assert sent.content.startswith(
            "The reason contains a NUL character (\\0), which no text may hold: remove it."
        ), sent.content
        [attached] = sent.message.attachments
        assert "Too\x00vague." in attached.data.decode()
        assert (await bot.store.suggestion(1)).state == "pending"


async def test_the_outcome_dm_says_which_suggestion_it_is_about(recall, emulator):
    """A member with several suggestions was told "Your suggestion #2 ... was not added"
    and had to run /suggest status to learn which question that was: the DM quotes its
    prompt, on one line and cut to fit, as /suggest status does."""
    _guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running():
        await open_suggestions(mod, review)
        await suggest(alice, 1)
        long_prompt = "Which of these\nholds " + "and more " * 30 + "`flask.g`?"
        await suggest(alice, 2, prompt=long_prompt)
        first, second = emulator.channel_messages(review)
        await mod.click(first, "Approve")
        rejecting = await mod.click(second, "Reject")
        await mod.submit(rejecting.modal, reason="Too long.")
        await emulator.wait_until(lambda: len(emulator.dms(alice)) == 2)
        approved, rejected = emulator.dms(alice)
        assert approved.content.startswith(
            "Your suggestion #1 (“What does flask.g hold, case 1?”) for **Team Flask** on "
        ), approved.content
        assert rejected.content.startswith(
            "Your suggestion #2 (“Which of these holds and more and more "
        ), rejected.content
        quoted = rejected.content.split("(“", 1)[1].split("”)", 1)[0]
        assert len(quoted) <= 100 and quoted.endswith("…") and "\n" not in quoted


async def suggest_unrecorded(bot, emulator, member, review):
    """A suggestion whose review post goes out while the database refuses to record which
    message it is (until the bot stops, in the tests that use it); its post."""

    async def refused(*args, **kwargs):
        raise StoreError("The database is busy.", "busy")

    bot.store.set_suggestion_message = refused
    await suggest(member, 1)
    [posted] = emulator.channel_messages(review)
    return posted


async def test_a_review_post_left_unrecorded_by_a_restart_is_recorded_by_a_moderators_click(
    recall, emulator
):
    """The review post went out, but the bot stopped while the database still refused to
    record which message it is, and the next start did not find it (the review channel
    moved since): the first moderator click on its buttons records it, so that the
    member's erase later takes them off the post (here, approved meanwhile)."""
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        posted = await suggest_unrecorded(bot, emulator, alice, review)
        await mod.run("/settings review-channel", options={"channel": guild.add_channel("new")})
    async with recall.running(sync=False) as bot:
        await asyncio.sleep(0.5)  # the start's look for unrecorded posts, in the wrong channel
        assert (await bot.store.suggestion(1)).message_id is None
        await mod.click(posted, "Approve")
        assert posted.embeds[0]["fields"][-1]["value"].startswith(f"✅ Approved by {mod.mention}")
        asked = await alice.run("/privacy delete")
        await alice.click(asked.message, "Erase my data")
        await emulator.wait_until(lambda: str(alice.id) not in str(posted.embeds[0]), within=3)
        assert form(1)["prompt"] not in str(posted.embeds[0])


async def test_a_review_post_left_unrecorded_by_a_stop_is_found_at_the_next_start(
    recall, emulator
):
    """The review post went out, but the bot stopped before it recorded which message it
    is (the database refusing that write until then): the next start finds the post in
    the review channel, so the member is not told it never reached the moderators, and
    the suggestion keeps its place among the five a member may have waiting."""
    recall.clock = FixedClock(datetime.now(UTC))
    guild, mod, alice, review = await setup(emulator, recall)
    async with recall.running() as bot:
        await open_suggestions(mod, review)
        posted = await suggest_unrecorded(bot, emulator, alice, review)
    recall.clock.advance(minutes=10)
    async with recall.running(sync=False) as bot:
        for _ in range(50):
            if (await bot.store.suggestion(1)).message_id is not None:
                break
            await asyncio.sleep(0.1)
        s = await bot.store.suggestion(1)
        assert (s.channel_id, s.message_id) == (review.id, posted.id)
        status = await alice.run("/suggest status")
        assert "⏳ waiting for review" in status.embed["description"], status.embed
        assert await bot.store.pending_suggestions(guild.id, alice.id) == 1
