"""``station analyse IMAGE [--json]``: output, keys and exit codes, no tracebacks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from station.commands import analyse
from station.resources import sample_path
from tests.vision import variants as v

KEYS = {
    "instruction",
    "text",
    "ready",
    "face_count",
    "frame",
    "face_box",
    "face_fraction",
    "centre_offset",
    "brightness",
    "contrast",
    "clipped_fraction",
    "face_turn",
    "face_roll_degrees",
    "sharpness",
    "laplacian_variance",
    "frozen",
    "frame_difference",
    "repeats",
    "elapsed_ms",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="station analyse")
    analyse.add_arguments(parser)
    code = analyse.run(parser.parse_args(list(argv)))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, image: np.ndarray) -> str:
    path = tmp_path / name
    assert cv2.imwrite(str(path), image)
    return str(path)


@pytest.mark.parametrize(
    ("make", "instruction", "code"),
    [
        (lambda: v.sample("face.jpg"), "ready", 0),
        (lambda: v.sample("face-large.jpg"), "ready", 0),
        (v.two_faces, "several_faces", 3),
        (v.no_face, "no_face", 3),
        (lambda: v.darkened(0.3), "too_dark", 3),
        (lambda: v.overexposed(), "too_bright", 3),
        (lambda: v.blurred(2.0), "hold_still", 3),
        (lambda: v.shrunk_in_frame(0.6), "move_closer", 3),
        (v.off_centre, "centre_face", 3),
    ],
    ids=["face", "face-large", "two", "none", "dark", "bright", "blur", "small", "off-centre"],
)
def test_json_instruction_and_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: object, instruction: str, code: int
) -> None:
    path = write(tmp_path, "in.png", make())  # type: ignore[operator]
    got, out, err = run(capsys, path, "--json")
    data = json.loads(out)
    assert set(data) == KEYS
    assert data["instruction"] == instruction
    assert data["ready"] is (code == 0)
    assert got == code
    assert err == ""


def test_human_output_starts_with_the_instruction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(sample_path("two-faces.jpg")))
    lines = out.splitlines()
    assert code == 3
    assert lines[0] == "Only one person in frame"
    assert any(line.split()[:1] == ["faces"] and line.split()[1] == "2" for line in lines)
    assert "brightness" in out and "sharpness" in out and "centre offset" in out


def test_human_output_without_a_face(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(sample_path("no-face.jpg")))
    assert code == 3
    assert out.splitlines()[0].startswith("No face found")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"hello, not a picture", "not a supported image"),
        (b"%PDF-1.7\n", "is a PDF"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "could not be decoded"),
    ],
    ids=["missing", "empty", "text", "pdf", "broken-jpeg"],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_unreadable_files_exit_64_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, message: str, as_json: bool
) -> None:
    path = tmp_path / "input.jpg"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, str(path), *(["--json"] if as_json else []))
    assert code == 64
    assert "Traceback" not in out + err
    if as_json:
        data = json.loads(out)
        assert data["instruction"] is None and message in data["message"]
    else:
        assert message in err and out == ""


def test_a_folder_is_not_a_picture(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path))
    assert code == 64 and "folder" in err
