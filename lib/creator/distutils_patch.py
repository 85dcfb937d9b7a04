# Written by mkvenv into the environment's site-packages as _virtualenv.py, loaded at every interpreter start by
# _virtualenv.pth (`import _virtualenv`), for Pythons below 3.10 only.
#
# Why: distutils and setuptools read install locations from distutils.cfg, setup.cfg and ~/.pydistutils.cfg, so a
# user's or the system's config could send `setup.py install` (and pip's legacy installs) outside this environment
# (virtualenv issue #1663). When `distutils.dist` or `setuptools.dist` is imported, this module wraps
# `Distribution.parse_config_files`: after the original has run, an `install` prefix is pinned to sys.prefix and
# install_purelib/platlib/headers/scripts/data are dropped. The module keeps the name `_virtualenv`, which tools
# recognise.
#
# Rules for editing this file:
# - It must stay valid on Python 3.6 (a syntax error here prints "Error processing line 1 of _virtualenv.pth" at
#   every start): no `from __future__ import annotations`, no walrus, no positional-only parameters.
# - It runs at every start, so it imports only `sys`. Never `threading` (it breaks gevent's monkey patching); the
#   rest is imported only when a patched module is being imported, and `os` only once distutils has loaded it.
import sys

_PATCHED_MODULES = ("distutils.dist", "setuptools.dist")
_DROPPED_KEYS = ("install_purelib", "install_platlib", "install_headers", "install_scripts", "install_data")
_MARK = "_mkvenv_pins_install_paths"  # set on our wrapper, so a class is never wrapped twice
_HERE = __file__


def _pin_install_paths(module):
    """Wraps `module.Distribution.parse_config_files` unless it (or the one it inherits) is wrapped already."""
    cls = getattr(module, "Distribution", None)
    if not isinstance(cls, type):
        return
    original = getattr(cls, "parse_config_files", None)
    if original is None or getattr(original, _MARK, False):
        return

    def parse_config_files(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        install = self.get_option_dict("install")
        if "prefix" in install:
            import os  # distutils imported it long ago: free

            install["prefix"] = (_HERE, os.path.abspath(sys.prefix))
        for key in _DROPPED_KEYS:
            install.pop(key, None)
        return result

    parse_config_files.__doc__ = getattr(original, "__doc__", None)
    parse_config_files.__qualname__ = getattr(original, "__qualname__", "parse_config_files")
    parse_config_files.__wrapped__ = original
    setattr(parse_config_files, _MARK, True)
    try:
        cls.parse_config_files = parse_config_files
    except (AttributeError, TypeError):  # an extension type: leave it be
        pass


class _Loader(object):
    """Stands in for the real loader of a patched module until that module runs, then hands everything back."""

    def __init__(self, spec, real):
        self._spec = spec
        self._real = real

    def __getattr__(self, name):  # get_source, get_filename, is_package, ...: the real loader's
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real, name)

    def _restore(self, module):
        # Put the real loader back on the spec and the module, so nothing sees this stand-in after the import.
        if self._spec.loader is self:
            self._spec.loader = self._real
        if module is None:
            return
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self._real
        spec = getattr(module, "__spec__", None)
        if spec is not None and getattr(spec, "loader", None) is self:
            spec.loader = self._real


class _ExecLoader(_Loader):
    """For loaders with the current API (create_module/exec_module)."""

    def create_module(self, spec):
        create = getattr(self._real, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module):
        self._restore(module)
        self._real.exec_module(module)
        _pin_install_paths(module)


class _LegacyLoader(_Loader):
    """For loaders offering only load_module (zipimport before 3.10, old import hooks)."""

    def load_module(self, fullname):
        self._restore(sys.modules.get(fullname))
        module = self._real.load_module(fullname)
        self._restore(module)
        _pin_install_paths(module)
        return module


class _Finder(object):
    """First on sys.meta_path: finds the patched modules through the finders after it and wraps their loaders."""

    def __init__(self):
        # (thread, module name) lookups in progress: a finder after us asking the import system again gets None.
        # Keyed by thread, so concurrent lookups never hide each other; set.add/discard need no lock.
        self._busy = set()

    def find_spec(self, fullname, path, target=None):
        if fullname not in _PATCHED_MODULES:
            return None
        from _thread import get_ident  # built in and loaded at startup: free, unlike threading

        key = (get_ident(), fullname)
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            spec = self._find_elsewhere(fullname, path, target)
        finally:
            self._busy.discard(key)
        if spec is None or spec.loader is None or isinstance(spec.loader, _Loader):
            return spec
        if hasattr(spec.loader, "exec_module"):
            spec.loader = _ExecLoader(spec, spec.loader)
        elif hasattr(spec.loader, "load_module"):
            spec.loader = _LegacyLoader(spec, spec.loader)
        return spec

    def _find_elsewhere(self, fullname, path, target):
        for finder in list(sys.meta_path):
            if finder is self:
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is not None:
                spec = find_spec(fullname, path, target)
            else:  # a finder from before PEP 451
                find_module = getattr(finder, "find_module", None)
                loader = None if find_module is None else find_module(fullname, path)
                if loader is None:
                    continue
                from importlib.util import spec_from_loader

                spec = spec_from_loader(fullname, loader)
            if spec is not None:
                return spec
        return None


def _install():
    for finder in sys.meta_path:
        if type(finder).__name__ == "_Finder" and type(finder).__module__ == __name__:
            return  # this file ran already (under the same name): one finder is enough
    sys.meta_path.insert(0, _Finder())
    for name in _PATCHED_MODULES:  # imported before us (by an earlier .pth)? patch it now
        module = sys.modules.get(name)
        if module is not None:
            _pin_install_paths(module)


_install()

# CPython 3.8.0-3.8.2 on macOS leave __PYVENV_LAUNCHER__ in os.environ, so every subprocess (even another
# interpreter) believes it runs in this environment (bpo-22490). `os` is loaded by site before any .pth runs.
if sys.platform == "darwin" and (3, 8) <= sys.version_info < (3, 8, 3):
    import os

    os.environ.pop("__PYVENV_LAUNCHER__", None)
