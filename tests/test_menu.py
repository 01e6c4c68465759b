from bot.app import App
from tests.helpers import intents, press, say, texts


async def test_start_shows_the_main_menu(app: App) -> None:
    lines = await say(app, "u1", "/start")
    assert intents(lines) == ["flow:menu"]
    assert lines[0]["buttons"][0] == ["Đi làm việc ở nước ngoài"]
    assert "Xin chào" in lines[0]["text"]


async def test_menu_word_without_diacritics_brings_the_menu(app: App) -> None:
    await say(app, "u1", "/start")
    lines = await say(app, "u1", "bat dau")
    assert intents(lines) == ["flow:menu"]


async def test_unknown_command_gets_a_hint(app: App) -> None:
    lines = await say(app, "u1", "/khongco")
    assert "/khongco" in texts(lines)
    assert "/help" in texts(lines)


async def test_choice_by_number_and_by_label_without_diacritics(app: App) -> None:
    await say(app, "u1", "/start")
    by_number = await press(app, "u1", "2")
    await say(app, "u1", "/start")
    by_label = await say(app, "u1", "hoc nghe")
    assert intents(by_number) == intents(by_label) == ["flow:faq.topics_training"]
