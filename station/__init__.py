"""Station: a face-liveness verification station for bank branches."""

import os
import sys

__version__ = "0.1.0"

# OpenCV reads these when cv2 is first imported, so they are set here, before anything imports it;
# a value IT has put in the environment is kept.
#
# Its worker threads, and the thread that called, spin for a while after each parallel call
# (OpenCV's defaults: 2 000 and 10 000 pause loops) in case more work follows at once. The
# station's calls come from the camera thread 30 times a second and from the guide a few times a
# second, so they spun between calls: 3-4 % of a core at an idle counter (issue 27; per-thread
# CPU of the idle bench, 21.5 % of a core with the spin against 18.0 % without, the guide's looks
# no slower). With 0 they sleep at once and are woken for the next call.
for _spin in ("OPENCV_THREAD_POOL_ACTIVE_WAIT_WORKER", "OPENCV_THREAD_POOL_ACTIVE_WAIT_MAIN"):
    os.environ.setdefault(_spin, "0")

if sys.platform == "win32":  # pragma: no cover - Windows only
    # Media Foundation takes 4-20 s to open a camera unless hardware transforms are off.
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")
