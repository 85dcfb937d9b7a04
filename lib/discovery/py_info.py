# mkvenv interrogation script: run inside a candidate interpreter as `python -E -s -B -c <this file's text>`.
#
# Protocol (see lib/discovery/interrogate.ts):
# - Python >= 3.6: prints one line, a JSON object with every field of `PythonInfo` (lib/discovery/py_info.ts),
#   and exits 0.
# - Python < 3.6: prints one line `{"unsupported": "X.Y.Z"}` and exits 0, before touching anything 2.7 lacks.
# - Anything else (a crash): a one-line summary `mkvenv py_info: <Type>: <message>` on stderr, then the traceback,
#   and exit code 1.
#
# Rules for editing this file:
# - The whole text is compiled before it runs, so it must stay valid Python 2.7 *and* 3.6 syntax: no f-strings,
#   no keyword-only arguments, no `nonlocal`, no walrus, no starred literals, no annotations.
# - Startup speed matters: import nothing beyond what the interpreter already loaded (sys, os) and `sysconfig`.
#   No `json` (pulls in `re`), `platform`, `struct`, `importlib.util` or `ensurepip`.
# - Output is pure ASCII, so the interpreter's stdout encoding never matters.
import sys

if sys.version_info < (3, 6):
    sys.stdout.write('{"unsupported": "%d.%d.%d"}\n' % tuple(sys.version_info[:3]))
    sys.stdout.flush()
    sys.exit(0)

# `-c` puts the current directory first on sys.path; nothing of ours may be shadowed from there.
sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]

import os  # noqa: E402  (already loaded by the interpreter's startup: free)
import sysconfig  # noqa: E402

_IMPLEMENTATIONS = {
    "cpython": "CPython",
    "pypy": "PyPy",
    "graalpy": "GraalPy",
    "ironpython": "IronPython",
    "jython": "Jython",
    "rustpython": "RustPython",
}

_MACHINES = {
    "amd64": "x86_64",
    "x64": "x86_64",
    "em64t": "x86_64",
    "x86_64": "x86_64",
    "aarch64": "arm64",
    "aarch64_be": "arm64",
    "arm64": "arm64",
    "armv8l": "arm64",
    "i386": "x86",
    "i486": "x86",
    "i586": "x86",
    "i686": "x86",
    "i86pc": "x86",
    "x86": "x86",
    "win32": "x86",
    "powerpc64le": "ppc64le",
    "ppc64le": "ppc64le",
    "powerpc64": "ppc64",
    "ppc64": "ppc64",
}

# Placeholder for the venv root while expanding scheme templates; stripped again to make the paths relative.
_SENTINEL = os.path.normpath(os.sep + "mkvenv-venv-root")

_CONFIG_VARS = ("Py_ENABLE_SHARED", "INSTSONAME", "LDLIBRARY", "LIBDIR", "PYTHONFRAMEWORK", "MULTIARCH")

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _json_string(text):
    """ASCII-only JSON string literal (what json.dumps(ensure_ascii=True) writes), without importing json."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if 0x20 <= code < 0x7F and ch != '"' and ch != "\\":
            out.append(ch)
        elif ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif code < 0x10000:
            out.append("\\u%04x" % code)
        else:
            code -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 | (code >> 10), 0xDC00 | (code & 0x3FF)))
    out.append('"')
    return "".join(out)


def _json(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(_json_string(str(k)) + ": " + _json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    return _json_string(value if isinstance(value, str) else str(value))


def _implementation():
    name = sys.implementation.name
    return _IMPLEMENTATIONS.get(name, name[:1].upper() + name[1:])


def _machine(bits):
    if hasattr(os, "uname"):
        raw = os.uname().machine.lower()
    else:  # Windows: win32, win-amd64, win-arm64, ...
        platform = sysconfig.get_platform().lower()
        raw = "x86" if platform == "win32" else platform.split("-", 1)[-1]
    machine = _MACHINES.get(raw, raw)
    # A 32-bit interpreter on a 64-bit kernel: uname reports the kernel's machine, not the interpreter's.
    if bits == 32 and machine == "x86_64":
        machine = "x86"
    return machine


def _scheme_name():
    """The sysconfig scheme a virtual environment of this interpreter uses."""
    names = sysconfig.get_scheme_names()
    if "venv" in names:  # 3.11+
        return "venv"
    if sys.implementation.name == "pypy" and "pypy" in names:  # PyPy 3.6/3.7
        return "pypy"
    # Not the default scheme: Debian patches that to posix_local (/usr/local/...), which no venv uses.
    return "nt" if os.name == "nt" else "posix_prefix"


def _relative(path):
    if path == _SENTINEL:
        return ""
    if path.startswith(_SENTINEL + os.sep):
        return path[len(_SENTINEL) + 1:]
    return path  # not below the venv root (unusual scheme): reported absolute, as it is


def _has_module(name):
    """importlib.util.find_spec for a top-level module, without importing importlib.util or the module."""
    if name in sys.modules:
        return True
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            if find_spec(name, None) is not None:
                return True
        except Exception:  # a broken third-party finder must not sink the probe
            continue
    return False


def _landmark_dirs(stdlib, base_prefix, version):
    """Stdlib locations relative to an install prefix, to recognise a `bin` directory of a complete install."""
    dirs = []
    if base_prefix and stdlib.startswith(base_prefix.rstrip(os.sep) + os.sep):
        dirs.append(stdlib[len(base_prefix.rstrip(os.sep)) + 1:])
    for libdir in ("lib", "lib64"):
        candidate = os.path.join(libdir, "python" + version)
        if candidate not in dirs:
            dirs.append(candidate)
    return dirs


def _has_landmark(directory, landmarks):
    """Whether `directory` is the `bin` of a complete install: `<parent>/<stdlib>/os.py` exists."""
    # Lexical parent, as the interpreter's own prefix search (getpath) walks it from a venv's `home`.
    parent = os.path.dirname(directory)
    for landmark in landmarks:
        if os.path.isfile(os.path.join(parent, landmark, "os.py")):
            return True
    return False


def _resolve_executable_links(path, landmarks):
    """
    Follows the symlink chain of an executable, stopping at the first path whose folder belongs to a complete
    install: a venv's `home` can point there and the interpreter finds its stdlib. So Debian's /usr/bin/python3 and
    pyenv's bin/python stay as they are, while ~/bin/python3 -> /opt/py/bin/python3.12 resolves to the latter.
    When no step qualifies, the fully resolved path is the answer.
    """
    if os.name == "nt":
        return path
    current = path
    for _ in range(40):
        if _has_landmark(os.path.dirname(current), landmarks):
            return current
        if not os.path.islink(current):
            break
        following = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
        if not os.path.exists(following):
            break  # broken link, or `..` across a symlinked directory: realpath sorts it out
        current = following
    real = os.path.realpath(path)
    return real if os.path.exists(real) else path


def _inside(path, root):
    path, root = os.path.normcase(path), os.path.normcase(root).rstrip(os.sep)
    return path == root or path.startswith(root + os.sep)


def _system_executable(in_venv, base_prefix, version_info, implementation, landmarks):
    executable = os.path.abspath(sys.executable) if sys.executable else ""
    if not in_venv:
        return _resolve_executable_links(executable, landmarks) if executable else ""

    major_minor = "%d.%d" % version_info[:2]
    suffix = ".exe" if os.name == "nt" else ""
    prefix = os.path.abspath(sys.prefix)
    base = getattr(sys, "_base_executable", None)
    if base and not hasattr(sys, "real_prefix"):
        base = os.path.abspath(base)
        if os.path.isfile(base) and not _inside(base, prefix) and base != executable:
            directory, name = os.path.split(base)
            if os.name != "nt" and version_info >= (3, 11) and name in ("python", "python3"):
                versioned = os.path.join(directory, "python" + major_minor)
                if os.path.isfile(versioned):
                    base = versioned
            return _resolve_executable_links(base, landmarks)

    # 3.6-3.10 on POSIX leave sys._base_executable at the venv's own python; legacy virtualenv has real_prefix.
    names = ["python" + major_minor, "python%d" % version_info[0], "python"]
    if implementation == "PyPy":
        names = ["pypy" + major_minor, "pypy%d" % version_info[0], "pypy"] + names
    folders = [base_prefix] if os.name == "nt" else [os.path.join(base_prefix, "bin")]
    if os.name == "nt":
        folders.append(os.path.join(base_prefix, "Scripts"))
    for folder in folders:
        for name in names:
            candidate = os.path.join(folder, name + suffix)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return _resolve_executable_links(candidate, landmarks)

    # Last resort: a symlinked venv python usually leads straight to the base interpreter.
    real = os.path.realpath(executable) if executable else ""
    return real if real and not _inside(real, prefix) and os.path.isfile(real) else ""


def _ensurepip_wheels(stdlib):
    bundled = os.path.join(stdlib, "ensurepip", "_bundled")
    try:
        names = os.listdir(bundled)
    except OSError:
        return []
    return [os.path.join(bundled, name) for name in sorted(names) if name.endswith(".whl")]


def _tcl_tk_libraries(base_prefix):
    """
    The Tcl and Tk script libraries an install ships inside itself (python.org's Windows builds under tcl/,
    python-build-standalone under lib/), which Tcl cannot find from a virtual environment's interpreter. Found by
    their landmark files rather than by starting tkinter, which would cost tens of milliseconds. Builds that use the
    system's Tcl (Debian, pyenv) have none: Tcl finds its own library there.
    """
    for parent in (os.path.join(base_prefix, "tcl"), os.path.join(base_prefix, "lib")):
        try:
            names = sorted(os.listdir(parent), reverse=True)  # the newest version first
        except OSError:
            continue
        tcl = [n for n in names if n.startswith("tcl") and os.path.isfile(os.path.join(parent, n, "init.tcl"))]
        if tcl:
            tk = [n for n in names if n.startswith("tk") and os.path.isfile(os.path.join(parent, n, "tk.tcl"))]
            return os.path.join(parent, tcl[0]), os.path.join(parent, tk[0]) if tk else None
    return None, None


def _config_value(name, value):
    if name == "Py_ENABLE_SHARED":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int) or value is None:
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if value is None or isinstance(value, str):
        return value
    return str(value)


def main():
    version_info = tuple(sys.version_info)
    implementation = _implementation()
    bits = 64 if sys.maxsize > 2**32 else 32
    config = sysconfig.get_config_vars()

    prefix = os.path.abspath(sys.prefix)
    exec_prefix = os.path.abspath(sys.exec_prefix)
    real_prefix = getattr(sys, "real_prefix", None)  # virtualenv < 20
    base_prefix = os.path.abspath(real_prefix or getattr(sys, "base_prefix", sys.prefix))
    base_exec_prefix = os.path.abspath(real_prefix or getattr(sys, "base_exec_prefix", sys.exec_prefix))
    in_venv = real_prefix is not None or prefix != base_prefix

    scheme = _scheme_name()
    base_paths = sysconfig.get_paths(
        scheme,
        vars={
            "base": base_prefix,
            "platbase": base_exec_prefix,
            "installed_base": base_prefix,
            "installed_platbase": base_exec_prefix,
        },
    )
    venv_paths = sysconfig.get_paths(
        scheme,
        vars={"base": _SENTINEL, "platbase": _SENTINEL, "installed_base": _SENTINEL, "installed_platbase": _SENTINEL},
    )
    stdlib = base_paths["stdlib"]
    landmarks = _landmark_dirs(stdlib, base_prefix, "%d.%d" % version_info[:2])
    tcl_library, tk_library = _tcl_tk_libraries(base_prefix)

    info = {
        "implementation": implementation,
        "versionInfo": {
            "major": version_info[0],
            "minor": version_info[1],
            "micro": version_info[2],
            "releaselevel": version_info[3],
            "serial": version_info[4],
        },
        "version": sys.version,
        "bits": bits,
        "machine": _machine(bits),
        "platform": sys.platform,
        "osName": os.name,
        "freeThreaded": config.get("Py_GIL_DISABLED") == 1,
        "debug": bool(config.get("Py_DEBUG")) or hasattr(sys, "gettotalrefcount"),
        "executable": sys.executable or "",
        "systemExecutable": _system_executable(in_venv, base_prefix, version_info, implementation, landmarks),
        "prefix": prefix,
        "basePrefix": base_prefix,
        "execPrefix": exec_prefix,
        "baseExecPrefix": base_exec_prefix,
        "inVenv": in_venv,
        "hasVenv": _has_module("venv"),
        "venvPaths": {
            "purelib": _relative(venv_paths["purelib"]),
            "platlib": _relative(venv_paths["platlib"]),
            "scripts": _relative(venv_paths["scripts"]),
            "include": _relative(venv_paths["include"]),
            "data": _relative(venv_paths["data"]),
        },
        "stdlib": stdlib,
        "platstdlib": base_paths["platstdlib"],
        "configVars": dict((name, _config_value(name, config.get(name))) for name in _CONFIG_VARS),
        "ensurepipWheels": _ensurepip_wheels(stdlib),
        "fileSystemEncoding": sys.getfilesystemencoding(),
        # Without the entries -c adds: the embeddable Windows build's pythonXY.zip is found here.
        "sysPath": [os.path.abspath(entry) for entry in sys.path],
        "tclLibrary": tcl_library,
        "tkLibrary": tk_library,
    }
    sys.stdout.write(_json(info) + "\n")
    sys.stdout.flush()


try:
    main()
except Exception as error:
    sys.stderr.write("mkvenv py_info: %s: %s\n" % (type(error).__name__, error))
    import traceback  # noqa: E402

    traceback.print_exc()
    sys.exit(1)
