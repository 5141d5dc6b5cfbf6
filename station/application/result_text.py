"""The small print under a verdict, in one place for the window's details panel and ``station verify``:
scores and thresholds, the service's own view, every face, the service's reference, the journal row."""

from __future__ import annotations

from station.application.attempt import AttemptReport
from station.words import QT_TRANSLATE_NOOP, Phrase

__all__ = ["describe_report"]


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def describe_report(report: AttemptReport) -> list[str]:
    """Plain-text lines (a face's line is indented by two spaces); never the token or the image."""
    lines: list[str] = []
    outcome = report.outcome
    if outcome is not None:
        result = outcome.result
        service = (
            outcome.service_verdict.value
            if outcome.service_verdict
            else QT_TRANSLATE_NOOP("Details", "no verdict")
        )
        lines.append(
            Phrase(
                QT_TRANSLATE_NOOP("Details", "Score {score} against the station's threshold {threshold}"),
                score=_score(outcome.score),
                threshold=f"{outcome.station_threshold:g}",
            )
        )
        if outcome.service_threshold:
            lines.append(
                Phrase(
                    QT_TRANSLATE_NOOP("Details", "Service verdict: {verdict} (threshold {threshold})"),
                    verdict=service,
                    threshold=f"{outcome.service_threshold:g}",
                )
            )
        else:
            lines.append(Phrase(QT_TRANSLATE_NOOP("Details", "Service verdict: {verdict}"), verdict=service))
        if outcome.disagrees_with_service:
            lines.append(
                QT_TRANSLATE_NOOP(
                    "Details", "Note: the station's decision differs from the service's verdict."
                )
            )
        if result.frame:
            size = f"{result.frame.width}x{result.frame.height}"
            lines.append(
                Phrase(
                    QT_TRANSLATE_NOOP("Details", "Faces: {count}, frame {size}"),
                    count=result.face_count,
                    size=size,
                )
            )
        else:
            lines.append(Phrase(QT_TRANSLATE_NOOP("Details", "Faces: {count}"), count=result.face_count))
        for index, face in enumerate(result.faces, start=1):
            box = face.bbox
            template = (
                QT_TRANSLATE_NOOP(
                    "Details",
                    "  Face {index} (primary): box {box}; live {live}, anti-spoof {antispoof}, detection {detection}",  # noqa: E501 - one literal for lupdate
                )
                if face == outcome.primary_face
                else QT_TRANSLATE_NOOP(
                    "Details",
                    "  Face {index}: box {box}; live {live}, anti-spoof {antispoof}, detection {detection}",
                )
            )
            lines.append(
                Phrase(
                    template,
                    index=index,
                    box=f"{box.x},{box.y} {box.width}x{box.height}",
                    live=_score(face.liveness_score),
                    antispoof=_score(face.antispoof_score),
                    detection=_score(face.detection_score),
                )
            )
        if result.reason:
            lines.append(Phrase(QT_TRANSLATE_NOOP("Details", "Reason: {reason}"), reason=result.reason))
        lines.append(
            Phrase(
                QT_TRANSLATE_NOOP("Details", "Service reference (client_id): {client_id}"),
                client_id=result.client_id or "–",
            )
        )
    if report.error is not None:
        lines.append(Phrase(QT_TRANSLATE_NOOP("Details", "Cause: {cause}"), cause=report.error.message))
    attempts = (
        report.verification.attempts
        if report.verification is not None
        else (report.error.attempts if report.error is not None else None)
    )
    if attempts is not None:
        ms = f"{report.elapsed_ms:.0f}"
        if report.api_host:
            lines.append(
                Phrase(
                    QT_TRANSLATE_NOOP("Details", "{ms} ms, {attempts} attempt(s), {host}"),
                    ms=ms,
                    attempts=attempts,
                    host=report.api_host,
                )
            )
        else:
            lines.append(
                Phrase(
                    QT_TRANSLATE_NOOP("Details", "{ms} ms, {attempts} attempt(s)"), ms=ms, attempts=attempts
                )
            )
    if report.audit_error is not None:
        lines.append(
            Phrase(
                QT_TRANSLATE_NOOP("Details", "AUDIT RECORD NOT WRITTEN: {error}. The result is not final."),
                error=report.audit_error,
            )
        )
    elif report.audit_sequence is not None:
        lines.append(
            Phrase(QT_TRANSLATE_NOOP("Details", "Audit record #{sequence}"), sequence=report.audit_sequence)
        )
    return lines
