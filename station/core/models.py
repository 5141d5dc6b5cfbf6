"""Frozen value types for one face-liveness answer and the station's decision about it.

The names follow the Surepass face-liveness v5 contract (``../shared/API.md`` in the steering repo):
``LivenessResult`` is ``data.detail`` plus the envelope around it, ``Face`` is one ``faces[]`` entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "BBox",
    "Face",
    "FrameSize",
    "LivenessResult",
    "Outcome",
    "OutcomeKind",
    "RetryReason",
    "ServiceVerdict",
]


@dataclass(frozen=True, slots=True)
class BBox:
    """A face box in the service's frame coordinates: top-left corner and size, in pixels."""

    x: int
    y: int
    width: int
    height: int

    @property
    def area(self) -> int:
        return max(self.width, 0) * max(self.height, 0)


@dataclass(frozen=True, slots=True)
class FrameSize:
    """Size in pixels of the image the service analysed (``data.detail.frame``)."""

    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face with the service's three scores (each 0..1, any may be absent)."""

    bbox: BBox
    detection_score: float | None = None
    liveness_score: float | None = None
    antispoof_score: float | None = None
    is_live: bool | None = None


class ServiceVerdict(StrEnum):
    """The service's own ``verdict`` field."""

    LIVE = "live"
    SPOOF = "spoof"


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """Every field of a 200 answer. Only ``ok`` is required; the rest may be missing."""

    ok: bool
    client_id: str | None = None
    status_code: int | None = None
    success: bool | None = None
    message: str | None = None
    message_code: str | None = None
    live: bool | None = None
    verdict: ServiceVerdict | None = None
    score: float | None = None
    reason: str | None = None
    face_count: int = 0
    threshold: float | None = None
    frame: FrameSize | None = None
    faces: tuple[Face, ...] = ()

    @property
    def primary_face(self) -> Face | None:
        """The face the verdict is about: the largest box, ties broken by detection score.

        The contract says ``score`` is the primary face's liveness but not how the primary face
        is chosen; the customer standing at the counter is the largest face in frame.
        """
        if not self.faces:
            return None
        return max(self.faces, key=lambda f: (f.bbox.area, f.detection_score or 0.0))


class OutcomeKind(StrEnum):
    """What the operator is told. ERROR is for attempts that produced no usable answer."""

    LIVE = "LIVE"
    SPOOF = "SPOOF"
    RETRY = "RETRY"
    REVIEW = "REVIEW"
    ERROR = "ERROR"


class RetryReason(StrEnum):
    """Why an answer cannot be decided and the customer should be captured again."""

    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    LOW_DETECTION = "low_detection"
    ANALYSIS_FAILED = "analysis_failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The station's decision, with the service's own view kept beside it for audit."""

    kind: OutcomeKind
    message: str
    result: LivenessResult
    station_threshold: float
    score: float | None = None
    retry_reason: RetryReason | None = None
    primary_face: Face | None = None
    service_verdict: ServiceVerdict | None = None
    service_threshold: float | None = None
    disagrees_with_service: bool = False
    #: What the station's own rule (threshold, review band, anti-spoof minimum) said before the
    #: service's view was weighed: LIVE, REVIEW or SPOOF. ``None`` when no score was decided.
    station_rule: OutcomeKind | None = None
    #: The service's own view: True when every live signal it gave (``verdict``, ``live``, the
    #: face's ``is_live``) says live, False when any says otherwise, ``None`` when it gave none.
    service_says_live: bool | None = None
    #: Why the two disagreed, in plain words for the journal and the operator's small print.
    disagreement: str | None = None
