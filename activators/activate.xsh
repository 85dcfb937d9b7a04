"""
Activates this virtual environment in xonsh: `source bin/activate.xsh`.
`deactivate` undoes everything it did; `deactivate nondestructive` does too but keeps the alias.
Written by mkvenv: every value below was quoted as a Python string when the environment was created.
"""


def _mkvenv_deactivate(args):
    # Each variable activation changed: its old value as programs saw it, or None when it was unset.
    for name, value in __xonsh__.ctx.pop("_mkvenv_saved", {}).items():
        if value is None:
            ${...}.pop(name, None)
        else:
            ${...}[name] = value
    ${...}.pop("VIRTUAL_ENV", None)
    ${...}.pop("VIRTUAL_ENV_PROMPT", None)
    aliases.pop("pydoc", None)
    if "nondestructive" not in args:
        aliases.pop("deactivate", None)


# Another environment (or this one) may be active: start from the state before it.
if "deactivate" in aliases:
    deactivate nondestructive


def _mkvenv_activate():
    import os.path

    env = ${...}
    plain = env.detype()  # the strings programs see, so that restoring them is exact
    virtual_env = __VIRTUAL_ENV__
    changes = {
        "VIRTUAL_ENV": virtual_env,
        "VIRTUAL_ENV_PROMPT": __VIRTUAL_PROMPT__ or os.path.basename(virtual_env),
        "PATH": os.path.join(virtual_env, __BIN_NAME__),
        "PKG_CONFIG_PATH": os.path.join(virtual_env, "lib", "pkgconfig"),
    }
    # Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
    for name, library in (("TCL_LIBRARY", __TCL_LIBRARY__), ("TK_LIBRARY", __TK_LIBRARY__)):
        if library:
            changes[name] = library
    saved = {}
    for name in ("PATH", "PKG_CONFIG_PATH", "TCL_LIBRARY", "TK_LIBRARY"):
        if name in changes:
            saved[name] = plain.get(name)
            # Put first on PATH and PKG_CONFIG_PATH; no empty entry (the current folder) when there was none.
            if name.endswith("PATH") and plain.get(name):
                changes[name] += os.pathsep + plain[name]
    # A PYTHONHOME would send the environment's interpreter to another installation's standard library.
    if "PYTHONHOME" in plain:
        saved["PYTHONHOME"] = plain["PYTHONHOME"]
        env.pop("PYTHONHOME")
    env.update(changes)
    __xonsh__.ctx["_mkvenv_saved"] = saved


_mkvenv_activate()
del _mkvenv_activate
aliases["deactivate"] = _mkvenv_deactivate
aliases["pydoc"] = ["python", "-m", "pydoc"]
