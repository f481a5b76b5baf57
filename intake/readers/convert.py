"""Word 97-2003 .doc, WPS .wps, RTF, OpenDocument .odt and .ods: converted by LibreOffice, then read as docx/xlsx.

Recognised by content: an OLE compound file with a "WordDocument" stream (a
.doc, and a WPS .wps, which is the same format), a file that starts {\\rtf (Rich
Text Format, as WordPad, Word's "save as RTF" and some OA systems write it,
often with GBK \\'xx escapes), or a zip whose "mimetype" member names an
OpenDocument text or spreadsheet.  LibreOffice headless
(Debian libreoffice-writer, libreoffice-calc) converts the file to docx or
xlsx, the formats it writes with the highest fidelity, and the existing
readers read the result (kind "doc", "rtf", "odt", "ods").

The converter runs in a subprocess with a timeout (limits.conversion_timeout_s, and
never more than what is left of the message's budget: budget.py), in its own process
group (killed whole on timeout, and by its guard when this process dies: lifeline.py),
with a private profile
(-env:UserInstallation in a directory of our own, macros disabled, links never
updated), without network when `unshare -n` works here, and one conversion at
a time: a process-wide lock and a file lock, so two daemons on one machine do
not run two LibreOffices at once.

When LibreOffice is not installed, can_read is False for these files and they
are refused as before: a .doc, .wps or RTF as legacy_format ("save it as .docx
or .xlsx"), an OpenDocument file as unsupported.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import olefile

from intake.errors import Reason, UnreadableAttachment
from intake.readers.grid import Grid
from intake.readers.limits import Limits
from intake.readers.reader import Read

from . import budget, docx, lifeline, xlsx
from ._common import is_ole, is_zip

log = logging.getLogger(__name__)

RTF_MAGIC = b"{\\rtf"
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": "ods",
}


@dataclass(frozen=True)
class Target:
    """What a kind of document is converted to, by which part of LibreOffice, and which reader reads it."""

    library: str  # the LibreOffice component library (libswlo.so: Writer, libsclo.so: Calc)
    filter: str  # target extension and export filter
    read: Read


TARGETS = {
    "doc": Target("libswlo.so", "docx:MS Word 2007 XML", docx.read),
    "rtf": Target("libswlo.so", "docx:MS Word 2007 XML", docx.read),
    "odt": Target("libswlo.so", "docx:MS Word 2007 XML", docx.read),
    "ods": Target("libsclo.so", "xlsx:Calc MS Excel 2007 XML", xlsx.read),
}
_LOCK = threading.Lock()
_PROFILE: Path | None = None
# The private profile: no macros at all, never update links to other files (a
# document must not pull /etc/passwd or a URL into what we read), no update checks.
REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Update/Update"><prop oor:name="Enabled" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


# --- what is installed -------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


@functools.lru_cache(maxsize=4)
def component(library: str) -> bool:
    """Is the LibreOffice part installed (libswlo.so: Writer, libsclo.so: Calc)?"""
    program = soffice()
    if program is None:
        return False
    directory = Path(os.path.realpath(program)).parent
    if not any(directory.glob("lib*lo.so")):
        return True  # not a layout we know: let the conversion tell
    return (directory / library).exists()


def available(kind: str = "doc") -> bool:
    """Can .doc/.wps/.rtf/.odt (kind doc, rtf or odt) or .ods (kind ods) files be converted here?"""
    return soffice() is not None and component(TARGETS[kind].library)


@functools.lru_cache(maxsize=1)
def _no_network() -> tuple[str, ...]:
    """A command prefix that runs a program without network (unshare -n, or -rn for a user), or ()."""
    program = shutil.which("unshare")
    if program is None:
        return ()
    for flags in (("-n",), ("-rn",)):
        try:
            if subprocess.run([program, *flags, "true"], capture_output=True, timeout=10).returncode == 0:
                return (program, *flags)
        except (OSError, subprocess.SubprocessError):
            continue
    log.info("unshare cannot make a network namespace here: LibreOffice runs with the host network")
    return ()


# --- reader interface --------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """doc (a .doc or .wps), rtf, odt or ods by content; None for anything else."""
    if head.startswith(RTF_MAGIC):
        return "rtf"
    if is_ole(head):
        try:
            with olefile.OleFileIO(io.BytesIO(head)) as ole:
                streams = {entry[0].lower() for entry in ole.listdir(streams=True, storages=False)}
        except Exception:  # a damaged OLE file is the xls reader's to explain
            return None
        return "doc" if "worddocument" in streams and "encryptedpackage" not in streams else None
    if is_zip(head):
        try:
            with zipfile.ZipFile(io.BytesIO(head)) as zf:
                if "mimetype" not in zf.namelist() or zf.getinfo("mimetype").file_size > 200:
                    return None
                mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
        except Exception:
            return None
        return ODF_TYPES.get(mimetype)
    return None


def can_read(name: str, head: bytes) -> bool:
    kind = sniff(head)
    return kind is not None and available(kind)


def can_read_rtf(name: str, head: bytes) -> bool:
    """RTF is text: it must be claimed before the refusals and the text readers look at it."""
    return head.startswith(RTF_MAGIC) and available("rtf")


def read(data: bytes, name: str, limits: Limits) -> list[Grid]:
    kind = sniff(data)
    if kind is None:
        raise UnreadableAttachment(name, "unsupported", "not a document LibreOffice converts")
    converted = convert(data, name, kind, limits)
    grids = TARGETS[kind].read(converted, name, limits)
    for grid in grids:
        grid.kind = kind
    return grids


# --- the conversion ----------------------------------------------------------------------------


def convert(data: bytes, name: str, kind: str, limits: Limits) -> bytes:
    """data converted to docx (doc, odt) or xlsx (ods) bytes by LibreOffice."""
    program = soffice()
    if program is None:
        raise UnreadableAttachment(name, _refusal(kind), "LibreOffice is not installed")
    timeout = budget.allowance(name, "LibreOffice", limits.conversion_timeout_s)
    with _one_at_a_time(name, timeout), tempfile.TemporaryDirectory(prefix="intake-convert-") as tmp:
        work = Path(tmp)
        source = work / f"in.{kind}"
        source.write_bytes(data)
        out = work / "out"
        started = time.monotonic()
        returncode, stderr = _run(_command(program, TARGETS[kind].filter, source, out), work, timeout, name)
        log.info(
            "%s: LibreOffice %s -> %s in %.2f s",
            name,
            kind,
            TARGETS[kind].filter[:4],
            time.monotonic() - started,
        )
        results = list(out.glob("in.*")) if out.is_dir() else []
        if returncode != 0 or not results:
            _reset_profile()
            detail = stderr.decode("utf-8", "replace").strip()[-300:]
            raise UnreadableAttachment(
                name, _refusal(kind), f"LibreOffice could not convert it ({returncode}) {detail}"
            )
        size = results[0].stat().st_size
        if size > limits.max_zip_total_bytes:
            raise UnreadableAttachment(name, "zip_bomb", f"converted to {size} bytes")
        return results[0].read_bytes()


def _command(program: str, target: str, source: Path, out: Path) -> list[str]:
    """soffice converting source into out, without network where possible, under a lifeline guard."""
    return lifeline.guarded(
        [
            *_no_network(),
            program,
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={_profile().as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ]
    )


def _run(command: list[str], work: Path, timeout: float, name: str) -> tuple[int, bytes]:
    """(exit status, stderr) of the conversion; its whole process group killed when done or over time."""
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=work,
        start_new_session=True,
        env=lifeline.child_environment(_environment(work)),
    )
    try:
        _stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        _reset_profile()
        raise UnreadableAttachment(name, "too_large", f"conversion not done after {timeout:.0f} s") from None
    finally:
        _kill(proc)
    return proc.returncode, stderr


def _refusal(kind: str) -> Reason:
    return "legacy_format" if kind in ("doc", "rtf") else "unsupported"


def _environment(work: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PATH"] = os.pathsep.join(
        p for p in (env.get("PATH"), "/usr/local/bin:/usr/bin:/bin") if p
    )  # soffice is a shell script
    env.update(HOME=str(work), TMPDIR=str(work), SAL_USE_VCLPLUGIN="svp")
    return env


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()


@contextlib.contextmanager
def _one_at_a_time(name: str, timeout: float) -> Iterator[None]:
    """The process-wide lock, then the file lock shared with other daemons of this user."""
    wait = max(timeout * 3, 10.0)
    if not _LOCK.acquire(timeout=wait):
        raise UnreadableAttachment(name, "too_large", "the converter is busy")
    try:
        path = Path(tempfile.gettempdir()) / f"intake-soffice-{os.getuid()}.lock"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning("no converter file lock (%s): %s", path, exc)
            yield
            return
        try:
            end = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > end:
                        raise UnreadableAttachment(name, "too_large", "the converter is busy") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        _LOCK.release()


def _profile() -> Path:
    """This process's LibreOffice profile (made once, reused: a fresh profile costs seconds per start)."""
    global _PROFILE
    if _PROFILE is None or not _PROFILE.is_dir():
        _PROFILE = Path(tempfile.mkdtemp(prefix="intake-soffice-profile-"))
        (_PROFILE / "user").mkdir()
        (_PROFILE / "user" / "registrymodifications.xcu").write_text(REGISTRY, encoding="utf-8")
        atexit.register(shutil.rmtree, _PROFILE, True)
    return _PROFILE


def _reset_profile() -> None:
    """After a failure or a kill the profile may be half-written: the next conversion starts a new one."""
    global _PROFILE
    if _PROFILE is not None:
        shutil.rmtree(_PROFILE, ignore_errors=True)
        _PROFILE = None
