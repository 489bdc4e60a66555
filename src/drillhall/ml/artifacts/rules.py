"""The rules of the model-artifact drill (``drillhall ml model``), with stable ids.

The per-format analyzers (Keras, TensorFlow, ONNX, safetensors, GGUF) use the ids defined
here; the pickle scanner uses the ``DH-MODEL-PICKLE-*`` ones.
"""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

DANGEROUS_IMPORT = "DH-MODEL-PICKLE-DANGEROUS-IMPORT"
GADGET = "DH-MODEL-PICKLE-GADGET"
UNKNOWN_IMPORT = "DH-MODEL-PICKLE-UNKNOWN-IMPORT"
NESTED = "DH-MODEL-PICKLE-NESTED"
MALFORMED = "DH-MODEL-MALFORMED"
UNSCANNABLE = "DH-MODEL-UNSCANNABLE"
NUMPY_OBJECT_ARRAY = "DH-MODEL-NUMPY-OBJECT-ARRAY"
KERAS_LAMBDA = "DH-MODEL-KERAS-LAMBDA"
KERAS_CUSTOM_OBJECT = "DH-MODEL-KERAS-CUSTOM-OBJECT"
TF_DANGEROUS_OP = "DH-MODEL-TF-DANGEROUS-OP"
ONNX_CUSTOM_DOMAIN = "DH-MODEL-ONNX-CUSTOM-DOMAIN"
ONNX_EXTERNAL_DATA_ESCAPE = "DH-MODEL-ONNX-EXTERNAL-DATA-ESCAPE"
SAFETENSORS_INVALID = "DH-MODEL-SAFETENSORS-INVALID"
GGUF_TEMPLATE_INJECTION = "DH-MODEL-GGUF-TEMPLATE-INJECTION"

_PICKLE = ("CWE-502", "ML06")
_LOAD = "Do not load this file. Rebuild the model from trusted code and data, or convert it " \
        "to a format that holds no code (safetensors, ONNX without custom ops)."

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        DANGEROUS_IMPORT, "Pickle imports a dangerous callable",
        "The pickle imports a function or module that runs commands, evaluates code, reaches "
        "other modules by name, opens files or sockets, or loads a second pickle (os.system, "
        "subprocess, builtins.eval, importlib, pkgutil.resolve_name, runpy, …). Loading the "
        "file with pickle, joblib or torch.load runs it.",
        _LOAD, Severity.CRITICAL, _PICKLE),
    RuleInfo(
        GADGET, "Pickle uses a code-execution gadget",
        "The pickle calls a callable it computed at load time (a getattr or import chain), "
        "imports a name it computed at load time through STACK_GLOBAL, or sets attributes on "
        "an imported module or function with BUILD. Real model files never do this; scanner "
        "bypasses do.",
        _LOAD, Severity.CRITICAL, _PICKLE),
    RuleInfo(
        UNKNOWN_IMPORT, "Pickle imports a callable not known to be safe",
        "The pickle imports something outside the allow-list of what model files use (numpy, "
        "scikit-learn, scipy.sparse, torch, pandas, collections, …). It may be a custom class "
        "of your own project, or a way to run code the deny-list does not know yet. With "
        "--strict it counts as unsafe.",
        "Check that the import is a class of your own code or a library you trust; prefer a "
        "format that holds no code.", Severity.MEDIUM, _PICKLE),
    RuleInfo(
        NESTED, "Pickle loads a nested pickle",
        "The pickle calls pickle.loads (or an equivalent) on bytes it carries, a common way "
        "to hide a payload from scanners that read only the outer pickle. The inner bytes are "
        "analyzed too when they are constants.",
        _LOAD, Severity.CRITICAL, _PICKLE),
    RuleInfo(
        MALFORMED, "Model file is malformed or exhausts the scanner's limits",
        "The file is truncated, uses an unknown opcode, misuses the stack or memo, nests too "
        "deeply or exceeds the scanner's limits. A file that cannot be fully analyzed is "
        "treated as unsafe (fail closed); its unparsed rest is searched for dangerous names.",
        "Obtain the file again from its source and check its hash; do not load a file that "
        "cannot be analyzed.", Severity.HIGH, ("CWE-502", "CWE-20", "ML06")),
    RuleInfo(
        UNSCANNABLE, "Model file or archive could not be scanned",
        "A wrapper format drillhall cannot open (7-Zip without py7zr, encrypted members), or a "
        "member over the size limits, was not analyzed.",
        "Unpack it with a trusted tool and scan the contents, or raise the limits.",
        Severity.MEDIUM, ("ML06",)),
    RuleInfo(
        NUMPY_OBJECT_ARRAY, "NumPy file holds an object array (a pickle)",
        "An .npy/.npz array of dtype object is stored as a pickle and loads only with "
        "allow_pickle=True. Its pickle was analyzed and found benign; the finding records "
        "that loading it needs pickle.",
        "Store numeric arrays instead, so the file loads with allow_pickle=False.",
        Severity.INFO, _PICKLE),
    RuleInfo(
        KERAS_LAMBDA, "Keras model contains a Lambda layer",
        "A Lambda layer carries serialized Python bytecode that runs when the model is "
        "loaded or called (unless safe_mode is on).",
        "Replace the Lambda layer with a registered custom layer reviewed in code; load with "
        "safe_mode=True.", Severity.HIGH, ("CWE-94", "ML06")),
    RuleInfo(
        KERAS_CUSTOM_OBJECT, "Keras model needs custom objects",
        "The model config names classes or functions outside Keras itself; loading resolves "
        "them from code the caller supplies or imports by module name.",
        "Review the custom objects and pass only trusted ones to load_model.",
        Severity.MEDIUM, ("CWE-94", "ML06")),
    RuleInfo(
        TF_DANGEROUS_OP, "TensorFlow graph uses a dangerous operation",
        "The SavedModel graph reads or writes files, runs Python (PyFunc) or otherwise reaches "
        "outside the model when executed.",
        "Do not serve the model; rebuild it without these ops.", Severity.HIGH,
        ("CWE-94", "ML06")),
    RuleInfo(
        ONNX_CUSTOM_DOMAIN, "ONNX model uses operators from a custom domain",
        "Custom-domain operators need a native library registered at load time; the model "
        "does not run on a stock runtime and the library runs native code.",
        "Check where the custom-op library comes from, or re-export with standard ops.",
        Severity.MEDIUM, ("ML06",)),
    RuleInfo(
        ONNX_EXTERNAL_DATA_ESCAPE, "ONNX external data points outside the model directory",
        "A tensor's external-data location is absolute or climbs out of the model directory "
        "(..), so loading reads arbitrary files.",
        "Do not load the model; keep external data next to the model file.",
        Severity.HIGH, ("CWE-22", "ML06")),
    RuleInfo(
        SAFETENSORS_INVALID, "safetensors file has an invalid header",
        "The header is not valid JSON, its offsets overlap or run past the file, or its size "
        "is absurd; loaders may misbehave on it.",
        "Obtain the file again from its source.", Severity.HIGH, ("CWE-20", "ML06")),
    RuleInfo(
        GGUF_TEMPLATE_INJECTION, "GGUF chat template can run code or inject prompts",
        "The chat template in the GGUF metadata reaches Python internals through Jinja "
        "(server-side template injection) or plants instructions in every prompt.",
        "Replace the chat template with a reviewed one before serving the model.",
        Severity.HIGH, ("CWE-1336", "LLM05", "ML06")),
)
