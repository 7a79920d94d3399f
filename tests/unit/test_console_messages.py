"""The console shows every refusal in Chinese, led by the rule's own words."""

from __future__ import annotations

from interfaces.web.messages import rule_message


def test_a_rule_the_console_words_itself_is_shown_in_its_sentence() -> None:
    shown = rule_message("four-eyes", "verified by the recorder")
    assert shown.startswith("四眼原则")


def test_a_rule_only_the_api_names_is_led_by_its_chinese_name_not_english() -> None:
    shown = rule_message("correction-pending", "a correction is already pending")
    assert shown.startswith("已有待批准的更正")
