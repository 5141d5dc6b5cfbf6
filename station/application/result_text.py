"""The small print under a verdict, in one place for the window's details panel and ``station verify``:
scores and thresholds, the service's own view, every face, the service's reference, the journal row."""

from __future__ import annotations

from station.application.attempt import AttemptReport

__all__ = ["describe_report"]


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def describe_report(report: AttemptReport) -> list[str]:
    """Plain-text lines (a face's line is indented by two spaces); never the token or the image."""
    lines: list[str] = []
    outcome = report.outcome
    if outcome is not None:
        result = outcome.result
        service = outcome.service_verdict.value if outcome.service_verdict else "no verdict"
        lines.append(
            f"Score {_score(outcome.score)} against the station's threshold {outcome.station_threshold:g}"
        )
        threshold = f" (threshold {outcome.service_threshold:g})" if outcome.service_threshold else ""
        lines.append(f"Service verdict: {service}{threshold}")
        if outcome.disagrees_with_service:
            lines.append("Note: the station's decision differs from the service's verdict.")
        frame = f", frame {result.frame.width}x{result.frame.height}" if result.frame else ""
        lines.append(f"Faces: {result.face_count}{frame}")
        for index, face in enumerate(result.faces, start=1):
            marker = " (primary)" if face == outcome.primary_face else ""
            box = face.bbox
            lines.append(
                f"  Face {index}{marker}: box {box.x},{box.y} {box.width}x{box.height}; "
                f"live {_score(face.liveness_score)}, anti-spoof {_score(face.antispoof_score)}, "
                f"detection {_score(face.detection_score)}"
            )
        if result.reason:
            lines.append(f"Reason: {result.reason}")
        lines.append(f"Service reference (client_id): {result.client_id or '–'}")
    if report.error is not None:
        lines.append(f"Cause: {report.error.message}")
    attempts = (
        report.verification.attempts
        if report.verification is not None
        else (report.error.attempts if report.error is not None else None)
    )
    if attempts is not None:
        host = f", {report.api_host}" if report.api_host else ""
        lines.append(f"{report.elapsed_ms:.0f} ms, {attempts} attempt(s){host}")
    if report.audit_error is not None:
        lines.append(f"AUDIT RECORD NOT WRITTEN: {report.audit_error}. The result is not final.")
    elif report.audit_sequence is not None:
        lines.append(f"Audit record #{report.audit_sequence}")
    return lines
