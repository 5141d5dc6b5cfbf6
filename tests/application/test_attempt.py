"""run_attempt's last line of defence: a failure the client did not type is still an ERROR row."""

from __future__ import annotations

import asyncio

from station.api import Credential, Environment, LivenessAPIError, LivenessClient, Verification
from station.application.attempt import AttemptReport, Submission, SubmissionKind, run_attempt
from station.application.kinds import RecordKind
from station.core.decision import DecisionPolicy
from station.core.models import OutcomeKind


class _BrokenClient(LivenessClient):
    """A real client whose call fails with something no rule of the client names."""

    async def verify_image(self, image: bytes, filename: str = "capture.jpg") -> Verification:
        raise RuntimeError("something nobody expected")


def test_an_untyped_failure_is_journaled_as_an_error_not_raised() -> None:
    recorded: list[AttemptReport] = []

    async def recorder(report: AttemptReport) -> int:
        recorded.append(report)
        return len(recorded)

    async def attempt() -> AttemptReport:
        async with _BrokenClient(
            Credential(Environment.SANDBOX, "tok"), base_url="http://127.0.0.1:9"
        ) as client:
            return await run_attempt(
                client, Submission(SubmissionKind.IMAGE, b"\xff\xd8\xff"), DecisionPolicy(), recorder
            )

    report = asyncio.run(attempt())
    assert report.kind is OutcomeKind.ERROR
    assert isinstance(report.error, LivenessAPIError)
    assert "RuntimeError" in report.error.message
    assert "nobody expected" not in report.error.message  # only the type: the text could hold anything
    assert report.final
    started, outcome = recorded
    assert started.record_kind is RecordKind.ATTEMPT_STARTED
    assert outcome == report.with_audit(None, None)
    assert outcome.started_sequence == 1
