"""What counts as a change between the commands the bot sends and Discord's listing."""

from bot.command_shapes import compare_commands

SENT = {  # as discord.py sends a guild-only command with a subcommand
    "name": "deck",
    "description": "Decks",
    "type": 1,
    "nsfw": False,
    "dm_permission": False,
    "default_member_permissions": 32,
    "contexts": [0],
    "integration_types": None,
    "options": [
        {
            "name": "edit",
            "description": "Edit a deck",
            "type": 1,
            "options": [
                {"type": 3, "name": "deck", "description": "Which", "required": True,
                 "autocomplete": True},
                {"type": 4, "name": "limit", "description": "How many", "required": False,
                 "min_value": 1, "max_value": 50},
                {"type": 7, "name": "where", "description": "Channel", "required": False,
                 "channel_types": [5, 0]},
                {"type": 3, "name": "mode", "description": "Mode", "required": False,
                 "choices": [{"name": "Fast", "value": "fast"}]},
            ],
        }
    ],
}
LISTED = {  # as Discord lists it back: ids, versions, nulls, defaults left out
    "id": "1", "application_id": "2", "version": "3", "guild_id": None,
    "name": "deck", "description": "Decks", "type": 1, "nsfw": False,
    "name_localizations": None, "description_localizations": None,
    "dm_permission": False, "default_member_permissions": "32", "contexts": [0],
    "integration_types": [0],
    "options": [
        {
            "name": "edit", "description": "Edit a deck", "type": 1,
            "name_localizations": None, "description_localizations": None,
            "options": [
                {"type": 3, "name": "deck", "description": "Which", "required": True,
                 "autocomplete": True, "name_localizations": None},
                {"type": 4, "name": "limit", "description": "How many",
                 "min_value": 1, "max_value": 50},
                {"type": 7, "name": "where", "description": "Channel",
                 "channel_types": [0, 5]},
                {"type": 3, "name": "mode", "description": "Mode",
                 "choices": [{"name": "Fast", "value": "fast", "name_localizations": None}]},
            ],
        }
    ],
}


def test_discords_listing_of_what_was_sent_is_up_to_date():
    assert not compare_commands([SENT], [LISTED], in_guild=False)
    assert not compare_commands([SENT], [LISTED], in_guild=True)
    everywhere = {**SENT, "dm_permission": True, "contexts": None}
    assert not compare_commands([everywhere], [{**LISTED, "contexts": [2, 1, 0],
                                                "dm_permission": True}], in_guild=False)


def test_each_field_that_matters_is_compared():
    def edited(**fields):
        sub = LISTED["options"][0]
        option = {**sub["options"][1], **fields}
        return {**LISTED, "options": [{**sub, "options": [sub["options"][0], option,
                                                          *sub["options"][2:]]}]}

    for change in ({"max_value": 25}, {"required": True}, {"description": "Other"},
                   {"type": 10}, {"autocomplete": True}, {"min_value": None}):
        assert compare_commands([SENT], [edited(**change)], in_guild=True).changed == [
            "/deck"
        ], change
    for top in ({"default_member_permissions": None}, {"nsfw": True}, {"contexts": [0, 1]}):
        assert compare_commands([SENT], [{**LISTED, **top}], in_guild=False).changed == [
            "/deck"
        ], top
    diff = compare_commands([SENT], [{**LISTED, "name": "decks"}], in_guild=False)
    assert (diff.missing, diff.extra, diff.describe()) == (
        ["/deck"], ["/decks"], "missing: /deck; not in this version: /decks"
    )
