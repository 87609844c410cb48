"""Make ``import torch`` (and ``torch.nn``, ``torch.optim`` ...) resolve to Ember, for ``ember run``."""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types


class MissingTorchAPI(AttributeError):
    """A PyTorch API that Ember does not provide; its message is one line naming it."""


class _Alias(types.ModuleType):
    """A module named ``torch.X`` that forwards to ``ember.X`` and names what is missing."""

    def __init__(self, torch_name: str, target):
        super().__init__(torch_name)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "__file__", getattr(target, "__file__", None))
        object.__setattr__(self, "__path__", [])

    def __getattr__(self, name):
        target = object.__getattribute__(self, "_target")
        try:
            return getattr(target, name)
        except AttributeError:
            pass
        sub = f"{object.__getattribute__(self, '__name__')}.{name}"
        if not name.startswith("__"):
            try:
                return importlib.import_module(sub)
            except ImportError:
                pass
        raise MissingTorchAPI(f"ember has no {sub}")

    def __setattr__(self, name, value):
        if name.startswith("__"):  # the import system's own bookkeeping stays on the alias
            object.__setattr__(self, name, value)
        else:
            setattr(object.__getattribute__(self, "_target"), name, value)

    def __dir__(self):
        return dir(object.__getattribute__(self, "_target"))


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` and loads them as aliases of ``ember`` and ``ember.*``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        ember_name = "ember" + spec.name[len("torch"):]
        try:
            target = importlib.import_module(ember_name)
        except ImportError:
            parent, _, attr = ember_name.rpartition(".")
            try:
                target = getattr(importlib.import_module(parent), attr)
            except (ImportError, AttributeError):
                raise ModuleNotFoundError(f"ember has no {spec.name}", name=spec.name) from None
            if not isinstance(target, types.ModuleType):
                raise ModuleNotFoundError(f"ember has no module {spec.name}", name=spec.name)
        return _Alias(spec.name, target)

    def exec_module(self, module):
        return None


def install() -> None:
    """Route ``import torch`` to Ember for the rest of this process."""
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def run_script(path: str, argv: list) -> int:
    """Run a PyTorch script on Ember; a missing API ends it with one clear line (exit status 1)."""
    import runpy  # noqa: PLC0415

    install()
    old_argv = sys.argv
    sys.argv = [path] + list(argv)
    try:
        runpy.run_path(path, run_name="__main__")
    except (MissingTorchAPI, ModuleNotFoundError) as e:
        msg = str(e)
        if not msg.startswith("ember has no"):
            raise
        print(f"ember run: {msg} (this PyTorch API is not implemented in Ember)", file=sys.stderr)
        return 1
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = old_argv
    return 0
