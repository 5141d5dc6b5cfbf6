"""The station's pure core: the liveness result model and the decision. No Qt, no HTTP."""

from station.core.decision import DecisionPolicy, SeveralFacesPolicy, decide
from station.core.models import (
    BBox,
    Face,
    FrameSize,
    LivenessResult,
    Outcome,
    OutcomeKind,
    RetryReason,
    ServiceVerdict,
)

__all__ = [
    "BBox",
    "DecisionPolicy",
    "Face",
    "FrameSize",
    "LivenessResult",
    "Outcome",
    "OutcomeKind",
    "RetryReason",
    "ServiceVerdict",
    "SeveralFacesPolicy",
    "decide",
]
