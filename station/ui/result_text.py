"""The small print under the verdict: scores, thresholds, the service's own view, the client id."""

from __future__ import annotations

from html import escape

from station.attempt import AttemptReport

__all__ = ["describe_report"]


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def describe_report(report: AttemptReport) -> str:
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
        lines.append(f"Faces: {result.face_count}")
        for index, face in enumerate(result.faces, start=1):
            marker = " (primary)" if face == outcome.primary_face else ""
            lines.append(
                f"  Face {index}{marker}: live {_score(face.liveness_score)}, anti-spoof "
                f"{_score(face.antispoof_score)}, detection {_score(face.detection_score)}"
            )
        if result.reason:
            lines.append(f"Reason: {result.reason}")
        lines.append(f"Reference (client id): {result.client_id or '–'}")
    if report.error is not None:
        lines.append(f"Cause: {report.error.message}")
    if report.verification is not None:
        lines.append(f"{report.elapsed_ms:.0f} ms, {report.verification.attempts} attempt(s)")
    elif report.error is not None:
        lines.append(f"{report.elapsed_ms:.0f} ms, {report.error.attempts} attempt(s)")
    if report.audit_sequence is not None:
        lines.append(f"Audit record #{report.audit_sequence}")
    return "<br>".join(escape(line).replace("  ", "&nbsp;&nbsp;") for line in lines)
