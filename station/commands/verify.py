"""``station verify``: one verification from the command line, for support staff and scripts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
import uuid
from pathlib import Path
from typing import Any, TextIO

from station.api.client import LivenessClient, Timeouts
from station.api.environments import Environment
from station.api.errors import LivenessAPIError, TokenMissingError
from station.application.attempt import AttemptReport, Submission, SubmissionKind, run_attempt
from station.application.consent import NOT_ASKED, Consent, ConsentRecord
from station.application.factory import config_from_resolved, notice_for, open_recorder
from station.application.port import Capture
from station.application.readiness import NotReady
from station.application.recording import UnavailableRecorder
from station.application.result_text import describe_report
from station.application.tokens import TokenStore, default_vault
from station.commands.exit_codes import ExitCode, exit_code_for_error, exit_code_for_outcome
from station.commands.inputs import InputError, check_link, read_image, read_pdf
from station.config import PolicyError, ResolvedSettings, SettingsError, resolve_station_settings
from station.core.decision import DEFAULT_LIVENESS_THRESHOLD
from station.core.decision import PolicyError as DecisionPolicyError
from station.security.urls import mask_url_credentials
from station.stop_signals import on_stop_signals

__all__ = ["add_arguments", "report_as_dict", "run"]


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"the threshold must be between 0 and 1, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"the timeout must be between 0 and 600 seconds, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("file", nargs="?", type=Path, help="an image (JPEG, PNG, BMP, TIFF, WebP)")
    what.add_argument("--pdf", type=Path, metavar="FILE", help="a one-page PDF (sent with use_pdf=true)")
    what.add_argument("--link", metavar="URL", help="a URL of an image the service fetches itself")
    parser.add_argument(
        "--env",
        choices=[e.value for e in Environment],
        help="which environment's token and service to use (default: the settings', sandbox unless set)",
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="another base URL (the local emulator, a bank gateway)"
    )
    parser.add_argument(
        "--threshold",
        type=_threshold,
        help=f"liveness threshold, 0..1 (default: the settings', {DEFAULT_LIVENESS_THRESHOLD} unless set)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="overall deadline for the verification, retries included (default: the settings')",
    )
    parser.add_argument(
        "--audit-db",
        type=Path,
        metavar="PATH",
        help="audit journal to record the attempt in (default: STATION_AUDIT_DB, else the station's)",
    )
    parser.add_argument(
        "--consent-given",
        action="store_true",
        help="the customer agreed to the station's consent notice (required where policy asks for it)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def report_as_dict(report: AttemptReport) -> dict[str, Any]:
    """The ``--json`` object. Never holds the token or the image."""
    out: dict[str, Any] = {
        "outcome": report.kind.value,
        "message": report.message,
        "client_id": None,
        "score": None,
        "station_threshold": None,
        "service_verdict": None,
        "service_threshold": None,
        "face_count": None,
        "frame": None,
        "faces": [],
        "elapsed_ms": round(report.elapsed_ms, 1),
        "attempts": None,
        "environment": report.environment,
        "api_host": report.api_host,
        "submitted_sha256": report.submission_sha256,
    }
    if report.outcome is not None and report.verification is not None:
        outcome, result = report.outcome, report.outcome.result
        out.update(
            client_id=result.client_id,
            score=outcome.score,
            station_threshold=outcome.station_threshold,
            service_verdict=outcome.service_verdict.value if outcome.service_verdict else None,
            service_threshold=outcome.service_threshold,
            disagrees_with_service=outcome.disagrees_with_service,
            retry_reason=outcome.retry_reason.value if outcome.retry_reason else None,
            face_count=result.face_count,
            frame=({"width": result.frame.width, "height": result.frame.height} if result.frame else None),
            faces=[
                {
                    "bbox": {
                        "x": f.bbox.x,
                        "y": f.bbox.y,
                        "width": f.bbox.width,
                        "height": f.bbox.height,
                    },
                    "detection_score": f.detection_score,
                    "liveness_score": f.liveness_score,
                    "antispoof_score": f.antispoof_score,
                    "is_live": f.is_live,
                }
                for f in result.faces
            ],
            attempts=report.verification.attempts,
            http_status=report.verification.http_status,
            service_reason=result.reason,
        )
    if report.error is not None:
        out.update(
            error=type(report.error).__name__,
            error_message=report.error.message,
            http_status=report.error.http_status,
            message_code=report.error.message_code,
            attempts=report.error.attempts,
        )
    if report.audit_sequence is not None or report.audit_error is not None:
        out.update(audit_sequence=report.audit_sequence, audit_error=report.audit_error)
    return out


def _print_human(report: AttemptReport, out: TextIO) -> None:
    print(f"{report.kind.value}: {report.message}", file=out)
    for line in describe_report(report):
        print(f"  {line}", file=out)


def _submission(args: argparse.Namespace) -> Submission:
    if args.pdf is not None:
        return Submission(SubmissionKind.PDF, read_pdf(args.pdf), filename=args.pdf.name)
    if args.link is not None:
        return Submission(SubmissionKind.LINK, link=check_link(args.link))
    return Submission(SubmissionKind.IMAGE, read_image(args.file), filename=args.file.name)


#: The command-line options that override a setting, as the person typed them.
_OVERRIDES: dict[str, str] = {
    "env": "environment",
    "base_url": "base_url",
    "threshold": "liveness_threshold",
    "timeout": "deadline",
    "audit_db": "audit_db",
}
_LABELS = {
    "environment": "--env",
    "base_url": "--base-url",
    "liveness_threshold": "--threshold",
    "deadline": "--timeout",
    "audit_db": "--audit-db",
}


def _resolved(args: argparse.Namespace) -> ResolvedSettings:
    """The station's settings with this command's overrides; an override the station refuses
    (production, a mandatory policy, a threshold below the policy's) is a usage error."""
    cli = {setting: getattr(args, option) for option, setting in _OVERRIDES.items() if getattr(args, option)}
    resolved = resolve_station_settings(cli=cli, cli_labels=_LABELS)
    refused = [line for line in resolved.refused if line.split(" ", 1)[0] in _LABELS.values()]
    if refused:
        raise SettingsError([("", f"{line}: refused") for line in refused])
    return resolved


#: Every row of ``station verify`` says where the picture came from: never the counter's camera.
NOT_THE_CAMERA_NOTE = "back office: the picture did not come from the counter's camera"


def _back_office_refusal(resolved: ResolvedSettings) -> str | None:
    """Why this station refuses to judge a file, PDF or link, or None (see station.config.modes)."""
    if resolved.mode.allows_file_verification or resolved.settings.allow_document_verification:
        return None
    return (
        f"a {resolved.mode.value} station verifies only the customer in front of its camera: "
        "a file, PDF or link is refused (any photo would otherwise become a live customer). "
        "IT can name this station a back-office channel with the allow_document_verification policy."
    )


def _consent(resolved: ResolvedSettings, given: bool) -> ConsentRecord:
    """The consent the rows carry; :class:`SettingsError` when policy asks for it and it was not
    confirmed."""
    settings = resolved.settings
    if not (resolved.mode.requires_consent or settings.consent_required):
        return ConsentRecord.for_notice(Consent.GIVEN, notice_for(settings)) if given else NOT_ASKED
    if not given:
        raise SettingsError(
            [
                (
                    "",
                    "the station's policy requires the customer's consent: confirm that the customer "
                    "agreed to the notice with --consent-given",
                )
            ]
        )
    return ConsentRecord.for_notice(Consent.GIVEN, notice_for(settings))


def _source_label(submission: Submission) -> str:
    """The journal's camera field for a picture that did not come from the camera."""
    if submission.kind is SubmissionKind.LINK:
        return f"not-camera:link:{mask_url_credentials(submission.link or '')}"
    return f"not-camera:{submission.kind.value}:{submission.filename or ''}"


def _os_account() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return None


class JournalUnavailableError(Exception):
    """The journal cannot be opened: no paid call is made that could not be recorded."""


class StoppedError(Exception):
    """SIGTERM/SIGHUP arrived: the attempt (if one was sent) is journaled as cancelled."""


async def _verify(
    resolved: ResolvedSettings, submission: Submission, consent: ConsentRecord
) -> AttemptReport:
    task = asyncio.current_task()
    assert task is not None
    stopped: list[str] = []

    def stop(reason: str) -> None:
        stopped.append(reason)
        task.cancel(reason)

    restore = on_stop_signals(asyncio.get_running_loop(), stop)
    try:
        return await _verify_once(resolved, submission, consent)
    except asyncio.CancelledError:
        if stopped:
            raise StoppedError(stopped[0]) from None
        raise
    finally:
        restore()


#: Through the station service the counter's port carries a picture (the service sends it itself).
SERVICE_TAKES_PICTURES = (
    "on this station the station service makes every verification, and it takes a picture only: "
    "a PDF or a link is verified on a back-office station"
)


async def _verify_through_service(submission: Submission, consent: ConsentRecord) -> AttemptReport:
    """An installed station: the station service holds the token, the client and the
    journal; this command is its client, as the window is (the caller's OS account is the operator)."""
    if submission.kind is not SubmissionKind.IMAGE:
        raise ValueError(SERVICE_TAKES_PICTURES)
    from station.service.client import connect_port  # the service's socket or pipe: imported here only

    port = await connect_port()
    try:
        no_token = next((h for h in port.readiness().holds if h.reason is NotReady.TOKEN), None)
        if no_token is not None:  # exit 4, as in-process, and nothing is sent
            raise TokenMissingError(f"the station service has no usable token: {no_token.message}")
        capture = Capture(
            submission.content,
            frame_sequence=0,
            session_id=f"cli-{uuid.uuid4().hex[:12]}",
            camera_label=_source_label(submission),
            consent=consent,
            notes=(NOT_THE_CAMERA_NOTE,),
        )
        return await port.verify(capture)
    finally:
        await port.close()


async def _verify_once(
    resolved: ResolvedSettings, submission: Submission, consent: ConsentRecord
) -> AttemptReport:
    if default_vault() is not None:
        return await _verify_through_service(submission, consent)
    config = config_from_resolved(resolved, operator_id=_os_account())
    settings = resolved.settings
    credential = TokenStore().credential(settings.environment)
    recorder, journal = open_recorder(config, camera_source=_source_label(submission))
    if journal is None:
        why = recorder.reason if isinstance(recorder, UnavailableRecorder) else "no audit journal"
        raise JournalUnavailableError(
            f"{why}. No request was sent: a verification that cannot be journaled is not made."
        )
    try:
        async with LivenessClient(
            credential,
            base_url=settings.base_url,
            timeouts=_timeouts(settings.to_timeouts(), settings.deadline),
            retry=settings.to_retry(),
            network=settings.to_network(),
        ) as client:
            return await run_attempt(
                client, submission, config.policy, recorder, notes=(NOT_THE_CAMERA_NOTE,), consent=consent
            )
    finally:
        if journal is not None:
            journal.close()


def _timeouts(configured: Timeouts, deadline: float) -> Timeouts:
    """Each phase's timeout within the overall deadline (``--timeout 5`` bounds them all)."""
    return Timeouts(
        connect=min(configured.connect, deadline),
        read=min(configured.read, deadline),
        write=min(configured.write, deadline),
        deadline=deadline,
    )


def _fail(args: argparse.Namespace, code: ExitCode, kind: str, message: str) -> int:
    if args.json:
        print(json.dumps({"outcome": "ERROR", "error": kind, "message": message}))
    else:
        print(f"station verify: {message}", file=sys.stderr)
    return int(code)


def run(args: argparse.Namespace) -> int:
    try:
        submission = _submission(args)
    except InputError as exc:
        return _fail(args, ExitCode.USAGE, "usage", str(exc))
    try:
        resolved = _resolved(args)
        refusal = _back_office_refusal(resolved)
        if refusal is not None:
            return _fail(args, ExitCode.USAGE, "policy", refusal)
        consent = _consent(resolved, args.consent_given)
    except (SettingsError, PolicyError) as exc:
        return _fail(args, ExitCode.USAGE, "settings", str(exc))
    try:
        report = asyncio.run(_verify(resolved, submission, consent))
    except (DecisionPolicyError, ValueError) as exc:
        return _fail(args, ExitCode.USAGE, "usage", str(exc))
    except LivenessAPIError as exc:  # raised before any request: token, configuration
        return _fail(args, exit_code_for_error(exc), type(exc).__name__, exc.message)
    except JournalUnavailableError as exc:
        return _fail(args, ExitCode.FAILURE, "audit", str(exc))
    except StoppedError as exc:
        return _fail(args, ExitCode.INTERRUPTED, "interrupted", f"{exc}; the attempt is journaled")
    if args.json:
        print(json.dumps(report_as_dict(report), indent=None))
    else:
        _print_human(report, sys.stdout)
    if report.error is not None:
        return int(exit_code_for_error(report.error))
    if not report.final:
        return int(ExitCode.FAILURE)
    return int(exit_code_for_outcome(report.kind))
