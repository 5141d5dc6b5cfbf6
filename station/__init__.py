"""Station: a face-liveness verification station for bank branches."""

import os
import sys

__version__ = "0.1.0"

if sys.platform == "win32":  # pragma: no cover - Windows only
    # Media Foundation takes 4-20 s to open a camera unless hardware transforms are off, and the
    # variable is read when cv2 is first imported: set it before anything imports cv2.
    os.environ.setdefault("OPENCV_VIDEOIO_MSMF_ENABLE_HW_TRANSFORMS", "0")
