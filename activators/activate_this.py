"""
Activates this virtual environment inside a running Python interpreter, e.g. one that embeds Python:

    import runpy
    runpy.run_path("/path/to/env/bin/activate_this.py")

It puts the environment's bin folder first on PATH, sets VIRTUAL_ENV, VIRTUAL_ENV_PROMPT and PKG_CONFIG_PATH for
programs started from now on, and puts the environment's site-packages first on sys.path. There is no way back.

Written by mkvenv: every value below was quoted as a Python string when the environment was created.
"""

import os
import site
import sys

try:
    _this_file = os.path.abspath(__file__)
except NameError:
    raise AssertionError("You must use import runpy; runpy.run_path(this_file)")

_bin_dir = os.path.dirname(_this_file)
# The environment is the folder holding the bin folder, wherever it has been moved to.
_base = _bin_dir[: -len(__BIN_NAME__) - 1]

os.environ["PATH"] = os.pathsep.join([_bin_dir] + ([os.environ["PATH"]] if os.environ.get("PATH") else []))
os.environ["VIRTUAL_ENV"] = _base
os.environ["VIRTUAL_ENV_PROMPT"] = __VIRTUAL_PROMPT__ or os.path.basename(_base)
_pkg_config = os.path.join(_base, "lib", "pkgconfig")
if os.environ.get("PKG_CONFIG_PATH"):
    _pkg_config += os.pathsep + os.environ["PKG_CONFIG_PATH"]
os.environ["PKG_CONFIG_PATH"] = _pkg_config
# A PYTHONHOME would send the environment's interpreter, started from here, to another installation's library.
os.environ.pop("PYTHONHOME", None)
# Tcl and Tk look for their scripts beside the running executable; set before tkinter is first used.
for _name, _library in (("TCL_LIBRARY", __TCL_LIBRARY__), ("TK_LIBRARY", __TK_LIBRARY__)):
    if _library:
        os.environ[_name] = _library

# Add the environment's site-packages (processing its .pth files), then move the new entries to the front.
_old_length = len(sys.path)
for _lib in __LIB_FOLDERS__.split(os.pathsep):
    site.addsitedir(os.path.realpath(os.path.join(_bin_dir, _lib)))
sys.path[:] = sys.path[_old_length:] + sys.path[:_old_length]

sys.real_prefix = sys.prefix
sys.prefix = _base
