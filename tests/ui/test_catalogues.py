"""The catalogues are complete and current, and every text a lower layer shows is in them.

A new ``tr()`` text without a Hindi translation fails here (lupdate finds it unfinished); so does
a new English message in the application layer that the UI's list (station/ui/texts.py) lacks,
and a translation that lost a ``{placeholder}``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox

from station.api import errors
from station.application import verdict_text as verdicts
from station.application.attempt import CANCELLED_MESSAGE, UNEXPECTED_MESSAGE, advice_for
from station.application.call_health import NOT_ANSWERING, NOT_ANSWERING_FIX
from station.application.camera_health import NOT_A_LIVE_CAMERA, NOT_A_LIVE_CAMERA_CAPTION
from station.application.consent import DEFAULT_NOTICE
from station.application.desk import REVIEW_REFUSAL_MESSAGES
from station.application.health import JournalState, journal_health, service_health
from station.application.readiness import NO_TOKEN_FIX, POLICY_STOP_FIX
from station.application.session import REFUSAL_MESSAGES
from station.camera import worker
from station.core.decision import MESSAGES
from station.ui import texts
from station.ui.languages import Languages, catalogue_path
from station.ui.texts import MessageBook
from station.vision.quality import INSTRUCTION_TEXT, Instruction

ROOT = Path(__file__).resolve().parents[2]
HINDI_TS = ROOT / "resources" / "i18n" / "station_hi.ts"
_FIELDS = re.compile(r"\{[a-z_]+\}|%L?n")


@pytest.fixture
def hindi() -> Iterator[Languages]:
    """Hindi installed as the interface language for one test, English again afterwards."""
    languages = Languages(interface="hi", customers="hi,en")
    languages.set_operator_language("hi")
    yield languages
    languages.set_operator_language("en")


def messages() -> list[tuple[str, str, str]]:
    """(context, source, translation) of every entry of the Hindi catalogue."""
    out = []
    for context in ET.parse(HINDI_TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            out.append((name, message.findtext("source") or "", message.findtext("translation") or ""))
    return out


def test_lupdate_finds_nothing_new_unfinished_or_obsolete() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "catalogues.py"), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compiled_catalogue_is_built_from_the_reviewed_source(tmp_path: Path) -> None:
    built = tmp_path / "station_hi.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), "-silent", str(HINDI_TS), "-qm", str(built)], check=True, timeout=60)
    shipped = catalogue_path("hi")
    assert shipped.exists(), "no compiled catalogue: run python3 packaging/dev.py setup"
    assert shipped.read_bytes() == built.read_bytes(), "stale .qm: run python3 packaging/catalogues.py build"


def test_every_translation_keeps_its_placeholders_and_is_not_empty() -> None:
    problems = [
        (context, source)
        for context, source, translation in messages()
        if not translation.strip() or sorted(_FIELDS.findall(source)) != sorted(_FIELDS.findall(translation))
    ]
    assert problems == []


def test_every_text_the_lower_layers_show_is_listed_for_translation() -> None:
    book = MessageBook()
    shown: list[str] = [
        *verdicts._ACTIONS.values(),
        *verdicts._ERROR_ACTIONS.values(),
        *verdicts._SUPERVISOR.values(),
        verdicts._NO_SUPERVISOR,
        verdicts._EXHAUSTED_DETAILS,
        UNEXPECTED_MESSAGE,
        verdicts._FACE_PICK,
        verdicts._EXHAUSTED,
        verdicts._NOT_FINAL,
        verdicts._LOCAL_ERROR,
        verdicts.NOT_FINAL_WORD,
        CANCELLED_MESSAGE,
        *REFUSAL_MESSAGES.values(),
        *REVIEW_REFUSAL_MESSAGES.values(),
        *MESSAGES.values(),
        DEFAULT_NOTICE,
        *worker._MESSAGES.values(),
    ]
    error_kinds = [
        errors.AuthError,
        errors.RateLimitedError,
        errors.ServiceUnavailableError,
        errors.RequestTimeoutError,
        errors.TLSError,
        errors.NetworkError,
        errors.BadRequestError,
        errors.ConfigurationError,
        errors.BadResponseError,
        errors.LivenessAPIError,
        errors.TokenMissingError,
    ]
    for kind in error_kinds:
        error = kind("x")
        shown.append(advice_for(error))
        health = service_health(None, error)
        shown += [health.part.value, health.word, health.fix]
    shown += [service_health(1234.0, None).word, NOT_ANSWERING, NOT_ANSWERING_FIX, NOT_A_LIVE_CAMERA]
    shown += [NOT_A_LIVE_CAMERA_CAPTION]
    shown += [POLICY_STOP_FIX, NO_TOKEN_FIX, "missing", "stopped", "not configured", "enrolled"]
    for state in JournalState:
        health = journal_health(state, "x")
        shown += [health.word, health.fix]
    missing = [text for text in shown if text and not book.knows(text)]
    assert missing == []


def test_the_guide_is_keyed_by_instruction_and_matches_the_vision_english() -> None:
    assert set(texts.INSTRUCTIONS) == set(Instruction), (
        "a new Instruction needs its entry in station/ui/texts.py"
    )
    drifted = {i: INSTRUCTION_TEXT[i] for i in Instruction if texts.INSTRUCTIONS[i] != INSTRUCTION_TEXT[i]}
    assert drifted == {}, (
        "station.vision reworded an instruction: update station/ui/texts.py and the catalogue"
    )


def test_messages_made_with_values_are_translated_whole(hindi: Languages) -> None:
    assert (
        hindi.operator_message("Confirmed live by supervisor sup1. You may continue with the customer.")
        == "सुपरवाइज़र sup1 ने जीवित व्यक्ति की पुष्टि की। आप ग्राहक का काम आगे बढ़ा सकते हैं।"
    )
    assert hindi.operator_message("Faces: 2, frame 1024x512") == "चेहरे: 2, फ़्रेम 1024x512"
    assert hindi.operator_message("balance 1 234") == "बैलेंस 1 234"
    # A text no catalogue knows stays as it came: never a blank.
    assert hindi.operator_message("Camera 0 (Integrated Webcam)") == "Camera 0 (Integrated Webcam)"


def test_the_interface_language_reaches_qt_and_its_buttons(hindi: Languages) -> None:
    assert QCoreApplication.translate("Headline", "LIVE") == "जीवित"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "ठीक है"
    hindi.set_operator_language("en")
    assert QCoreApplication.translate("Headline", "LIVE") == "LIVE"


def test_the_customer_language_leaves_the_interface_alone(hindi: Languages) -> None:
    hindi.set_operator_language("en")
    hindi.set_customer_language("hi")
    assert hindi.customer_text("Consent", "Hold still: capturing…") == "हिलें नहीं: फ़ोटो ली जा रही है…"
    assert hindi.instruction(Instruction.MOVE_CLOSER) == "थोड़ा पास आइए"
    assert hindi.instruction(Instruction.MOVE_CLOSER, for_operator=True) == "Move closer"
    assert QCoreApplication.translate("Headline", "LIVE") == "LIVE"


def test_unknown_or_missing_languages_fall_back_to_english(tmp_path: Path) -> None:
    languages = Languages(interface="ta", customers="ta,xx,hi", catalogues=tmp_path)  # no catalogues here
    assert languages.customer_languages == ("en",)
    assert languages.default_interface == "en"
