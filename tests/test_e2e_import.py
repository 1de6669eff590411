"""/question import end to end, past what test_e2e_bank covers: Import clicked twice or
raced by Cancel, and files that are no deck (another program's, another encoding, empty)."""

from __future__ import annotations

import asyncio

import pytest

from tests.test_e2e_bank import DECK_YAML, make_deck, setup_guild

pytestmark = pytest.mark.e2e


async def test_import_clicked_twice_or_raced_by_cancel_imports_the_file_once(recall, emulator):
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        for other, deck in (("Import", "Team One"), ("Cancel", "Team Two")):
            await make_deck(mod, deck)
            before = (await bot.store.counts())["questions"]
            asked = await mod.run(
                "/question import",
                file=emulator.attachment("d.yaml", DECK_YAML.encode()),
                deck=deck,
            )
            msg = await asked.wait_for_followup()
            import_id, cancel_id = (b.custom_id for b in msg.buttons)
            clicks = await asyncio.gather(
                mod.click(msg, custom_id=import_id),
                mod.click(msg, custom_id=import_id if other == "Import" else cancel_id),
            )
            for click in clicks:
                await click.settled()
            # One click did the work and turned the preview into its result; the other is
            # told privately what became of the import, and writes nothing.
            title = msg.embeds[0]["title"]
            assert title in ("Imported", "Import cancelled") and msg.buttons == []
            state = "imported" if title == "Imported" else "cancelled"
            assert [c.told for c in clicks if c.told] == [f"This import was already {state}."]
            added = (await bot.store.counts())["questions"] - before
            assert added == (3 if state == "imported" else 0)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("deck.xlsx", b"PK\x03\x04" + bytes(60), "a spreadsheet file, not text: save it as CSV"),
        ("deck.pdf", b"%PDF-1.7\n" + bytes(60), "this is a PDF, not text"),
        ("deck.csv", "question,answer\nCafé?,Oui\n".encode("cp1252"), "line 2, column 4"),
        ("deck.csv", "question,answer\nWhy?,So\n".encode("utf-16"), "the file is saved as UTF-16"),
        ("deck.csv", b"\xef\xbb\xbf\r\n \r\n", "line 1: the file is empty"),
        ("deck.csv", b"question;answer\r\nWhy?;So\r\n", "separate the columns with commas"),
        ("deck.csv", b"question,answer,tags\r\nWhy?,So\r\n", "line 2: this row has 2 cells"),
    ],
)
async def test_a_file_that_is_no_deck_is_refused_saying_what_to_fix(
    recall, emulator, name, data, says
):
    _guild, mod, _alice = await setup_guild(emulator)
    async with recall.running() as bot:
        await make_deck(mod)
        before = await bot.store.counts()
        asked = await mod.run(
            "/question import", file=emulator.attachment(name, data), deck="team-flask"
        )
        reply = await asked.wait_for_followup()
        assert reply.ephemeral and reply.buttons == []
        assert reply.content.startswith(f"Nothing was imported: **{name}** has ")
        assert says in reply.content
        assert await bot.store.counts() == before
        assert await bot.store._fetchall("SELECT id FROM import_sessions") == []
