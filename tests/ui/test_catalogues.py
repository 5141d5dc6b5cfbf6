"""The catalogues are complete and current, and every text the window shows from a lower layer is
marked where it is written and translated.

A new ``tr()`` text, or a new ``QT_TRANSLATE_NOOP`` anywhere in station/ (the lower layers'
marker, :mod:`station.words`), without a Hindi translation fails here: lupdate reads every file
of station/ and finds it unfinished. So does a marker lupdate cannot read, a text the lower layers
show without a marker, and a translation that lost a ``{placeholder}``.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox

from station.api import errors
from station.application import verdict_text as verdicts
from station.application.attempt import (
    CANCELLED_MESSAGE,
    JOURNAL_UNWRITABLE_MESSAGE,
    UNEXPECTED_MESSAGE,
    advice_for,
)
from station.application.call_health import NOT_ANSWERING, NOT_ANSWERING_FIX
from station.application.camera_health import NOT_A_LIVE_CAMERA, NOT_A_LIVE_CAMERA_CAPTION
from station.application.consent import DEFAULT_NOTICE
from station.application.desk import REVIEW_REFUSAL_MESSAGES
from station.application.factory import StationConfig, camera_verdict
from station.application.health import PART_NAMES, JournalState, journal_health, service_health
from station.application.readiness import (
    NO_TOKEN_FIX,
    POLICY_STOP_FIX,
    Hold,
    NotReady,
    Readiness,
    token_health,
)
from station.application.session import REFUSAL_MESSAGES
from station.camera import worker
from station.config import Mode
from station.core.decision import MESSAGES
from station.resources import sample_path
from station.security.camera_identity import CameraIdentity, camera_refusal
from station.ui.languages import Languages, catalogue_path
from station.vision.quality import INSTRUCTION_TEXT, Instruction
from station.words import QT_TRANSLATE_NOOP, Phrase, Text

ROOT = Path(__file__).resolve().parents[2]
HINDI_TS = ROOT / "resources" / "i18n" / "station_hi.ts"
_FIELDS = re.compile(r"\{[a-z_]+\}|%L?n")


def _load_catalogues() -> ModuleType:
    """packaging/catalogues.py (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("catalogues", ROOT / "packaging" / "catalogues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogues = _load_catalogues()


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


def _translated() -> dict[tuple[str, str], str]:
    return {(context, source): translation for context, source, translation in messages() if translation}


def _marked_calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "QT_TRANSLATE_NOOP":
                yield node


def test_every_marker_in_the_station_is_one_lupdate_can_read() -> None:
    """lupdate reads the source, it does not run it: a marker with an f-string or a variable is
    skipped without a word, and its text would reach the screen in English. So every marker in
    station/ has two plain literals, and every marked text has its Hindi translation."""
    translated = _translated()
    unreadable: list[str] = []
    untranslated: list[str] = []
    found = 0
    for path in sorted((ROOT / "station").rglob("*.py")):
        for call in _marked_calls(path):
            found += 1
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            texts = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if len(call.args) != 2 or call.keywords or len(texts) != 2:
                unreadable.append(where)
                continue
            context, source = texts
            if (context, source) not in translated:
                untranslated.append(f"{where} {context}: {source}")
    assert found > 200  # the station's own markers were read, lower layers included
    assert unreadable == []
    assert untranslated == []


def test_a_marked_text_without_hindi_fails_the_check(tmp_path: Path) -> None:
    """The completeness check finds a new marked text by itself, wherever it is written."""
    fixture = tmp_path / "refusal.py"
    fixture.write_text(
        "from station.words import QT_TRANSLATE_NOOP\n\n"
        'NEW = QT_TRANSLATE_NOOP("Refusal", "A refusal nobody has translated yet.")\n',
        encoding="utf-8",
    )
    found = catalogues.problems(extra=[fixture])
    assert "station_hi.ts: 1 unfinished entry" in found
    assert any("not current with the code" in line for line in found)
    assert (
        not (ROOT / "resources" / "i18n" / "station_hi.ts")
        .read_text(encoding="utf-8")
        .count("A refusal nobody has translated yet.")
    )


def test_every_text_the_lower_layers_show_is_marked_and_translated() -> None:
    shown: list[str] = [
        *verdicts._ACTIONS.values(),
        *verdicts._ERROR_ACTIONS.values(),
        *verdicts._SUPERVISOR.values(),
        *verdicts.HEADLINES.values(),
        verdicts._NO_SUPERVISOR,
        verdicts._EXHAUSTED_DETAILS,
        UNEXPECTED_MESSAGE,
        JOURNAL_UNWRITABLE_MESSAGE,
        verdicts._FACE_PICK,
        verdicts._EXHAUSTED,
        verdicts._NOT_FINAL,
        verdicts._LOCAL_ERROR,
        verdicts.NOT_FINAL_WORD,
        CANCELLED_MESSAGE,
        *REFUSAL_MESSAGES.values(),
        *REVIEW_REFUSAL_MESSAGES.values(),
        *MESSAGES.values(),
        *INSTRUCTION_TEXT.values(),
        *PART_NAMES.values(),
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
        shown += [health.word, health.fix]
    shown += [service_health(1234.0, None).word, NOT_ANSWERING, NOT_ANSWERING_FIX, NOT_A_LIVE_CAMERA]
    shown += [NOT_A_LIVE_CAMERA_CAPTION, POLICY_STOP_FIX, NO_TOKEN_FIX]
    for state in JournalState:
        health = journal_health(state, "x")
        shown += [health.word, health.fix]
    for reason in NotReady:
        shown.append(token_health(Readiness((Hold(reason, "x"),))).word)
    shown.append(token_health(Readiness()).word)
    picture = camera_verdict(StationConfig(camera=str(sample_path("face.jpg")), mode=Mode.PRODUCTION))
    virtual = CameraIdentity("OBS Virtual Camera", virtual_reason="a virtual camera's driver")
    shown += [picture.refusal, camera_refusal(virtual, "", production=True)]
    shown += [camera_refusal(CameraIdentity("Webcam"), "046d:085b", production=True)]
    translated = _translated()
    unmarked = [text for text in shown if text and not isinstance(text, Text)]
    assert unmarked == []
    missing = [
        (text.context, text.source)
        for text in shown
        if isinstance(text, Text) and (text.context, text.source) not in translated
    ]
    assert missing == []


def test_the_guide_is_marked_where_station_vision_writes_it() -> None:
    assert set(INSTRUCTION_TEXT) == set(Instruction)
    assert all(isinstance(text, Text) and text.context == "Instruction" for text in INSTRUCTION_TEXT.values())


def test_messages_made_with_values_are_translated_whole(hindi: Languages) -> None:
    sup1 = Phrase(QT_TRANSLATE_NOOP("Details", "supervisor {supervisor}"), supervisor="sup1")
    confirmed = Phrase(
        QT_TRANSLATE_NOOP("Details", "Confirmed live by {who}. You may continue with the customer."), who=sup1
    )
    assert confirmed == "Confirmed live by supervisor sup1. You may continue with the customer."  # the log's
    assert (
        hindi.operator_message(confirmed)
        == "सुपरवाइज़र sup1 ने जीवित व्यक्ति की पुष्टि की। आप ग्राहक का काम आगे बढ़ा सकते हैं।"
    )
    assert hindi.operator_message(service_health(1234.0, None).word) == "बैलेंस 1 234"
    # A plain copy of a marked text (a Qt signal's QString, say) is still found by its words.
    assert hindi.operator_message(str(NO_TOKEN_FIX)) == hindi.operator_message(NO_TOKEN_FIX) != NO_TOKEN_FIX
    # A text nobody marked stays as it came: never a blank. So does a phrase whose value is not marked.
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
