"""Station: a face-liveness verification station for bank branches."""

import os
import sys

__version__ = "0.1.0"

# OpenCV and numpy read these when they are first imported, so they are set here, before anything
# imports them; a value IT has put in the environment is kept.
#
# Its worker threads spin after each parallel call (OpenCV's default: 2 000 pause loops, about a
# tenth of a millisecond) in case more work follows at once. The station's calls come from the
# camera thread 30 times a second and from the guide's network, layer after layer, a few times a
# second, so the workers spun between the camera's calls: 3-4 % of a core at an idle counter
# (issue 27; per-thread CPU of the idle bench, 18.5-19.4 % of a core with the default against
# 16.0-16.6 % with 200). 200 loops still catch the next layer of the guide's network (its looks
# took 4.4-4.6 ms, as before); with 0 for the workers and for the calling thread they took
# 5.2-9.1 ms, every layer waiting for a sleeping worker to wake.
os.environ.setdefault("OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER", "200")

# numpy's OpenBLAS starts a thread pool as numpy is imported (15-20 ms of the start, before the
# first frame: 74 against 57 ms for `import numpy`, median of eight alternating runs, issue 27).
# The station multiplies no large matrices: OpenCV does the pictures' work, with its own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if sys.platform == "win32":  # pragma: no cover - Windows only
    # Media Foundation takes 4-20 s to open a camera unless hardware transforms are off.
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")

# pydantic loads every installed package's "pydantic" entry point as a validation plugin the first
# time it builds a model: third-party code watching machine policy being read, found by reading
# every installed distribution's metadata (4-7 ms before the first frame in the development tree,
# issue 27). The station validates with none. Set, not defaulted: no environment turns them on.
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
