"""Judging the imports a pickle makes: dangerous, known-benign or unknown.

A pickle imports a callable or class by ``module`` and ``qualname`` (GLOBAL, STACK_GLOBAL,
INST); loading the pickle imports it and, through REDUCE / NEWOBJ / BUILD, calls it or sets
attributes on it. The deny-list names what attackers use to run commands, evaluate code, reach
other modules by name, open files or sockets, or load a second pickle; the allow-list names
what real model files import (numpy, scikit-learn, scipy.sparse, torch, pandas, collections,
…). The deny-list wins over the allow-list, and an attribute path through a dunder name
(``numpy.__builtins__``) is dangerous whatever its module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    """What an import is."""

    DANGEROUS = "dangerous"
    SAFE = "safe"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict with the reason behind it (empty for safe imports)."""

    verdict: Verdict
    reason: str = ""


# Whole modules (and their submodules) whose every name is dangerous, with why.
_DENY_MODULES: dict[str, str] = {
    "os": "runs commands and touches files", "posix": "runs commands (os on POSIX)",
    "nt": "runs commands (os on Windows)", "subprocess": "runs commands",
    "_posixsubprocess": "runs commands", "pty": "spawns a shell",
    "platform": "platform.popen runs commands", "sys": "reaches sys.modules and the runtime",
    "importlib": "imports any module by name", "imp": "imports any module by name",
    "_imp": "imports any module by name", "zipimport": "imports code from archives",
    "_frozen_importlib": "imports any module by name",
    "_frozen_importlib_external": "imports any module by name",
    "pkgutil": "pkgutil.resolve_name reaches any callable by name",
    "runpy": "runs modules and files as code", "code": "evaluates Python source",
    "codeop": "compiles Python source", "marshal": "loads code objects",
    "ctypes": "calls native code", "_ctypes": "calls native code",
    "socket": "opens network connections", "_socket": "opens network connections",
    "ssl": "opens network connections", "shutil": "copies, moves and deletes files",
    "webbrowser": "opens URLs and runs browsers", "pickle": "loads a nested pickle",
    "_pickle": "loads a nested pickle", "cPickle": "loads a nested pickle",
    "dill": "loads a nested pickle", "cloudpickle": "loads a nested pickle",
    "joblib.load": "loads a nested pickle", "shelve": "loads pickles from files",
    "multiprocessing": "starts processes", "_multiprocessing": "starts processes",
    "asyncio": "starts subprocesses", "concurrent": "runs callables in workers",
    "requests": "network access", "urllib": "network access", "urllib2": "network access",
    "urllib3": "network access", "httpx": "network access", "http": "network access",
    "httplib": "network access", "aiohttp": "network access", "ftplib": "network access",
    "smtplib": "network access", "telnetlib": "network access", "xmlrpc": "network access",
    "pdb": "runs code in the debugger", "bdb": "runs code in the debugger",
    "timeit": "evaluates Python source", "cProfile": "runs code under the profiler",
    "profile": "runs code under the profiler", "trace": "runs code under the tracer",
    "doctest": "runs code from docstrings", "distutils": "spawns commands and writes files",
    "setuptools": "spawns commands and writes files", "pip": "installs packages",
    "ensurepip": "runs pip", "venv": "creates environments and runs pip",
    "idlelib": "evaluates Python source", "lib2to3": "loads grammar pickles and code",
    "_interpreters": "runs source in a sub-interpreter",
    "_xxsubinterpreters": "runs source in a sub-interpreter",
    "linecache": "reads arbitrary files", "fcntl": "low-level file control",
    "signal": "changes signal handling", "_io": "opens files", "io": "opens files",
    "tempfile": "creates files", "glob": "lists files", "site": "changes import paths",
    "builtins.__import__": "imports any module",
    "numpy.f2py": "evaluates Fortran-derived expressions", "numpy.distutils": "spawns commands",
    "numpy.ctypeslib": "loads native libraries", "numpy.testing": "runstring evaluates source",
    "numpy.lib.npyio": "numpy.load can load pickles", "numpy.load": "can load pickles",
    "numpy.fromfile": "reads arbitrary files", "numpy.ma.load": "loads pickles",
    "numpy.ma.loads": "loads pickles", "numpy.ma.core.load": "loads pickles",
    "numpy.ma.core.loads": "loads pickles",
    "torch.load": "loads a nested pickle", "torch.hub": "downloads and runs code",
    "torch.serialization": "loads nested pickles", "torch.jit": "loads and runs TorchScript",
    "torch.utils.collect_env": "runs commands", "torch.utils.bottleneck": "runs scripts",
    "torch.package": "imports packaged code", "torch._dynamo": "compiles and runs code",
    "torch._inductor": "compiles and runs code", "torch.utils.cpp_extension": "builds code",
    "pandas.io": "reads files and URLs", "pandas.core.computation": "evaluates expressions",
    "pandas.eval": "evaluates expressions", "sklearn.datasets": "downloads data",
    "mlflow": "runs projects and commands", "uuid._get_command_stdout": "runs commands",
    "sklearn.utils._testing": "runs Python source in a subprocess",
    "pydoc": "pydoc.locate reaches any callable by name; pydoc pagers run commands",
    "fickling": "tampers with the scanner", "picklescan": "tampers with the scanner",
    "modelscan": "tampers with the scanner",
}

# Single names that are dangerous, by module.
_DENY_NAMES: dict[str, dict[str, str]] = {
    "builtins": dict.fromkeys(
        ("eval", "exec", "compile", "getattr", "setattr", "delattr", "__import__", "open",
         "breakpoint", "globals", "locals", "vars", "input", "help", "exit", "quit",
         "memoryview", "type", "super", "classmethod", "staticmethod", "property",
         "__build_class__", "__loader__", "__spec__"),
        "evaluates code, reaches attributes or opens files"),
    "operator": dict.fromkeys(("attrgetter", "methodcaller", "itemgetter", "call"),
                              "reaches attributes and calls methods by name"),
    "functools": dict.fromkeys(("reduce", "partialmethod", "singledispatchmethod"),
                               "calls wrapped callables"),
    "types": dict.fromkeys(("CodeType", "FunctionType", "MethodType", "LambdaType",
                            "ModuleType", "new_class", "SimpleNamespace"),
                           "builds functions, code or modules"),
    "copyreg": dict.fromkeys(("add_extension", "pickle", "constructor"),
                             "changes how pickles load"),
    "collections": dict.fromkeys(("namedtuple",), "generates and executes class source"),
    "string": dict.fromkeys(("Formatter",), "reaches attributes through format strings"),
    "pandas": {"eval": "evaluates expressions"},
    "numpy": dict.fromkeys(("load", "loads", "fromfile", "save", "savez", "tofile",
                            "loadtxt", "genfromtxt", "memmap"), "reads or writes files"),
}
_DENY_NAMES["__builtin__"] = _DENY_NAMES["builtins"]
_DENY_NAMES["_operator"] = _DENY_NAMES["operator"]
_DENY_NAMES["copy_reg"] = _DENY_NAMES["copyreg"]

_SAFE_EXACT = frozenset({
    "copyreg._reconstructor", "copy_reg._reconstructor", "copyreg.__newobj__",
    "copyreg.__newobj_ex__", "copyreg._reconstruct", "_codecs.encode",
    "collections.OrderedDict", "collections.defaultdict", "collections.deque",
    "collections.Counter", "datetime.datetime", "datetime.date", "datetime.time",
    "datetime.timedelta", "datetime.timezone", "decimal.Decimal", "fractions.Fraction",
    "uuid.UUID", "re._compile", "functools.partial", "joblib.numpy_pickle.NumpyArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
    "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
    "numpy.random._pickle.__generator_ctor", "torch.Size", "torch.device",
    "torch._tensor._rebuild_from_type_v2", "torch._utils._rebuild_tensor",
    "torch.storage._load_from_bytes", "__builtin__.set", "__builtin__.frozenset",
    "__builtin__.object", "__builtin__.long", "__builtin__.unicode", "__builtin__.bytearray",
})
_SAFE_BUILTINS = frozenset({
    "set", "frozenset", "bytearray", "bytes", "slice", "complex", "range", "object", "dict",
    "list", "tuple", "int", "float", "str", "bool", "reversed", "enumerate", "Ellipsis",
    "NotImplemented", "print", "xrange", "long", "unicode", "basestring",
})
_DUNDER_MODULES = frozenset({"__builtin__", "__main__", "__mp_main__"})
_SAFE_MODULE_PREFIXES = (
    "sklearn.", "scipy.sparse.", "numpy.core.multiarray", "numpy._core.multiarray",
    "numpy.core.numeric", "numpy._core.numeric", "numpy.dtypes", "numpy.random._mt19937",
    "numpy.random._pcg64", "numpy.random._philox", "numpy.random._sfc64",
    "numpy.random.bit_generator", "numpy.random.mtrand", "numpy.random._generator",
    "numpy.ma", "numpy.matrixlib.defmatrix", "numpy.core.records", "numpy._core.records",
    "torch.nn.", "torch.optim.", "torch._utils", "pandas.core.", "pandas._libs.",
    "xgboost.core", "xgboost.sklearn", "lightgbm.basic", "lightgbm.sklearn",
    "catboost.core", "sentence_transformers.", "transformers.", "tokenizers",
)
_NUMPY_TOP = re.compile(
    r"(dtype|ndarray|matrix|recarray|record|bool_?|u?int(8|16|32|64|c|p)?|float(16|32|64|128)?"
    r"|complex(64|128|256)?|half|single|double|longdouble|clongdouble|csingle|cdouble|str_"
    r"|bytes_|unicode_|string_|void|object_|datetime64|timedelta64|generic|number|u?longlong"
    r"|u?short|u?byte|float_|complex_|longfloat)\Z")
_TORCH_TOP = re.compile(
    r"(\w*Storage|(float|int|uint|complex|bfloat)\d*|half|double|long|short|bool|cfloat"
    r"|cdouble|strided|sparse_coo|sparse_csr|contiguous_format|channels_last|preserve_format"
    r"|quint8|qint8|qint32|quint4x2|layout|memory_format|dtype|Tensor|Size|device)\Z")
_PANDAS_TOP = re.compile(
    r"(DataFrame|Series|Index|RangeIndex|MultiIndex|DatetimeIndex|CategoricalIndex|Timestamp"
    r"|Timedelta|Categorical|Interval|Period|NaT|NA|CategoricalDtype|Int64Dtype|StringDtype)\Z")


_TEST_PARTS = frozenset({"testing", "_testing", "tests", "_tests", "conftest", "test_utils"})


def _is_dunder(part: str) -> bool:
    return len(part) > 4 and part.startswith("__") and part.endswith("__")


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def judge(module: str, qualname: str) -> Judgement:
    """Judge ``module.qualname``: deny-list, then dunder paths, then allow-list."""
    full = f"{module}.{qualname}"
    for prefix, why in _DENY_MODULES.items():
        if _under(module, prefix) or _under(full, prefix):
            return Judgement(Verdict.DANGEROUS, why)
    first = qualname.split(".", 1)[0]
    names = _DENY_NAMES.get(module)
    if names is not None and first in names:
        return Judgement(Verdict.DANGEROUS, names[first])
    if full in _SAFE_EXACT:
        return Judgement(Verdict.SAFE)
    parts = ([] if module in _DUNDER_MODULES else module.split(".")) + qualname.split(".")
    if any(_is_dunder(p) for p in parts) or not all(parts):
        return Judgement(Verdict.DANGEROUS, "reaches attributes through a dunder or empty name")
    if module in ("builtins", "__builtin__"):
        return Judgement(Verdict.SAFE if qualname in _SAFE_BUILTINS else Verdict.UNKNOWN)
    if module == "numpy":
        return Judgement(Verdict.SAFE if _NUMPY_TOP.match(qualname) else Verdict.UNKNOWN)
    if module == "torch":
        return Judgement(Verdict.SAFE if _TORCH_TOP.match(qualname) else Verdict.UNKNOWN)
    if module == "pandas":
        return Judgement(Verdict.SAFE if _PANDAS_TOP.match(qualname) else Verdict.UNKNOWN)
    if any(module.startswith(p) if p.endswith(".") else _under(module, p)
           for p in _SAFE_MODULE_PREFIXES):
        # a trusted package's test helpers are not model code: they run scripts and spawn
        # interpreters (sklearn.utils._testing), so they are never trusted with the package
        if _TEST_PARTS & set(module.split(".")):
            return Judgement(Verdict.UNKNOWN)
        return Judgement(Verdict.SAFE)
    return Judgement(Verdict.UNKNOWN)


#: Callables that load a second pickle from bytes given to them.
NESTED_LOADERS = frozenset({
    "pickle.loads", "_pickle.loads", "pickle._loads", "cPickle.loads", "dill.loads",
    "dill._dill.loads", "cloudpickle.loads", "pickle.load", "_pickle.load",
    "torch.serialization._load", "torch.load", "joblib.load", "numpy.loads",
})
