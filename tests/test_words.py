"""The translation marker: a marked text is still the English ``str`` the CLI, the logs and the
journal read, and it keeps what the window needs to translate it through copies and pickling."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from station.words import QT_TRANSLATE_NOOP, Phrase, Text, context_of


def test_a_marked_text_reads_as_its_english_and_knows_its_context() -> None:
    text = QT_TRANSLATE_NOOP("Refusal", "The station is not configured.")
    assert text == "The station is not configured." and isinstance(text, str)
    assert text.context == "Refusal" and text.source == "The station is not configured."
    assert json.dumps({"message": text}) == '{"message": "The station is not configured."}'
    assert f"{text}" == "The station is not configured."


def test_a_phrase_reads_as_its_english_sentence_and_keeps_its_template_and_values() -> None:
    who = Phrase(QT_TRANSLATE_NOOP("Details", "supervisor {supervisor}"), supervisor="sup2")
    phrase = Phrase(
        QT_TRANSLATE_NOOP("Details", "Confirmed live by {who}. You may continue with the customer."), who=who
    )
    assert phrase == "Confirmed live by supervisor sup2. You may continue with the customer."
    assert phrase.template == "Confirmed live by {who}. You may continue with the customer."
    assert phrase.source == phrase.template and phrase.context == "Details"
    assert phrase.named == {"who": who} and isinstance(phrase.named["who"], Phrase)


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))])
def test_copies_keep_the_marking(clone: object) -> None:
    text = QT_TRANSLATE_NOOP("Health", "enrolled")
    phrase = Phrase(QT_TRANSLATE_NOOP("Health", "balance {amount}"), amount="1 234")
    for value in (text, phrase):
        back = clone(value)  # type: ignore[operator]
        assert back == value and type(back) is type(value) and back.context == value.context
    back_phrase = clone(phrase)  # type: ignore[operator]
    assert back_phrase.template == "balance {amount}" and back_phrase.named == {"amount": "1 234"}


def test_a_marked_text_cannot_be_changed() -> None:
    text = QT_TRANSLATE_NOOP("Health", "writable")
    with pytest.raises(AttributeError):
        text.context = "Other"


def test_a_plain_copy_is_found_by_its_words_and_an_unmarked_text_is_not() -> None:
    QT_TRANSLATE_NOOP("Camera", "Camera stopped.")
    assert context_of(str(QT_TRANSLATE_NOOP("Camera", "Camera stopped."))) == "Camera"
    assert context_of("Camera 0 (Integrated Webcam)") is None
    assert context_of(Text("Own", "x")) == "Own"
