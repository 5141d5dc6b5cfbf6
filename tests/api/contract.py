"""The contract's own example answer (API.md), shared by the parser's tests and the test servers."""

from __future__ import annotations

from typing import Any

CONTRACT_EXAMPLE: dict[str, Any] = {
    "data": {
        "client_id": "face_liveness_v5_YbookLSDhSoVRtsCRvtO",
        "detail": {
            "ok": True,
            "live": True,
            "verdict": "live",
            "score": 0.833,
            "reason": "ok",
            "face_count": 1,
            "threshold": 0.7,
            "frame": {"width": 1896, "height": 2735},
            "faces": [
                {
                    "bbox": {"x": 609, "y": 1009, "width": 852, "height": 853},
                    "detection_score": 0.9995,
                    "liveness_score": 0.833,
                    "antispoof_score": 0.9978,
                    "is_live": True,
                }
            ],
        },
    },
    "status_code": 200,
    "success": True,
    "message": "Success",
    "message_code": "success",
}
