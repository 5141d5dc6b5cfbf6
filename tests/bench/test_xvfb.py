"""The Xvfb idle variant reads CPU from outside: /proc/PID/stat of every station process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from station.bench.xvfb import _display_free, _read_display, descendants, process_cpu_seconds

# Burns 0.3 s of CPU (under an odd process name if given), says so, then waits to be told to end.
BURNER = """\
import sys, time
if len(sys.argv) > 1:
    with open("/proc/self/comm", "w") as comm:
        comm.write(sys.argv[1])
end = time.process_time() + 0.3
while time.process_time() < end:
    pass
print("burnt", flush=True)
sys.stdin.readline()
"""

# Starts a burner, passes on its pid and its word, then waits to be told to end (and ends it).
PARENT = """\
import subprocess, sys
child = subprocess.Popen(
    [sys.executable, sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
)
print(child.pid, flush=True)
print(child.stdout.readline().strip(), flush=True)
sys.stdin.readline()
child.communicate("\\n")
"""


def _script(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _end(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_cpu_of_every_process_of_a_tree_is_read_from_proc(tmp_path: Path) -> None:
    burner = _script(tmp_path, "burner.py", BURNER)
    with subprocess.Popen(
        [sys.executable, _script(tmp_path, "parent.py", PARENT), burner],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as parent:
        try:
            assert parent.stdout is not None
            child = int(parent.stdout.readline())
            assert parent.stdout.readline().strip() == "burnt"  # the child has used 0.3 s of CPU
            assert set(descendants(parent.pid)) == {parent.pid, child}
            assert process_cpu_seconds(child) >= 0.25
        finally:
            _end(parent)
    assert parent.returncode == 0


def test_a_process_name_with_spaces_and_parentheses_does_not_shift_the_fields(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, _script(tmp_path, "burner.py", BURNER), ") (x) 1 2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as burner:
        try:
            assert burner.stdout is not None
            assert burner.stdout.readline().strip() == "burnt"
            assert Path(f"/proc/{burner.pid}/comm").read_text(encoding="ascii").strip() == ") (x) 1 2"
            assert 0.25 <= process_cpu_seconds(burner.pid) < 60.0
        finally:
            _end(burner)


def test_a_display_whose_abstract_socket_is_taken_is_not_free() -> None:
    """Another mount namespace's X server is visible only by its machine-wide abstract socket."""
    number = 987
    assert _display_free(number)
    holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        holder.bind(f"\0/tmp/.X11-unix/X{number}")
        assert not _display_free(number)
    finally:
        holder.close()
    assert _display_free(number)


def test_the_display_number_is_read_up_to_its_newline_before_the_pipe_is_closed() -> None:
    """Xvfb writes its display number and the newline in two writes, and dies if the pipe is closed
    between them ("Cannot write display number to fd"): the bench lost its Xvfb figure that way on
    a loaded machine. The reader must still be waiting after the number alone."""
    read_end, write_end = os.pipe()
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.append(_read_display(read_end, time.monotonic() + 120)))
    try:
        os.write(write_end, b"496")
        reader.start()
        reader.join(timeout=0.5)  # a wrong reader returns on "496"; a right one is still waiting
        assert reader.is_alive(), f"returned {said} before the newline"
        os.write(write_end, b"\n")  # the server's second write: the pipe is still open
        reader.join(timeout=60)
        assert said == ["496"]
    finally:
        os.close(write_end)
        reader.join(timeout=60)
        os.close(read_end)
