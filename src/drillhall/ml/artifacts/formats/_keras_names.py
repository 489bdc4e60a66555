"""Names the Keras configuration check relies on: built-in classes, trusted and dangerous
modules, and functions that reach the file system or Python."""

from __future__ import annotations

_LAYERS = """
InputLayer Dense Activation Dropout Flatten Reshape Permute RepeatVector Lambda
ActivityRegularization Masking Embedding Identity EinsumDense
Conv1D Conv2D Conv3D Convolution1D Convolution2D Convolution3D Conv1DTranspose Conv2DTranspose
Conv3DTranspose Convolution2DTranspose Convolution3DTranspose SeparableConv1D SeparableConv2D
SeparableConvolution1D SeparableConvolution2D DepthwiseConv1D DepthwiseConv2D
Cropping1D Cropping2D Cropping3D UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D
ZeroPadding2D ZeroPadding3D MaxPooling1D MaxPooling2D MaxPooling3D MaxPool1D MaxPool2D MaxPool3D
AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D
GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GlobalMaxPool1D GlobalMaxPool2D
GlobalMaxPool3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D LocallyConnected1D LocallyConnected2D
SimpleRNN GRU LSTM ConvLSTM1D ConvLSTM2D ConvLSTM3D SimpleRNNCell GRUCell LSTMCell
StackedRNNCells RNN CuDNNGRU CuDNNLSTM GRUV1 GRUV2 LSTMV1 LSTMV2 Bidirectional TimeDistributed
Wrapper BatchNormalization BatchNormalizationV1 BatchNormalizationV2 LayerNormalization
GroupNormalization UnitNormalization SyncBatchNormalization SpectralNormalization Normalization
Add Subtract Multiply Average Maximum Minimum Concatenate Dot LeakyReLU PReLU ELU
ThresholdedReLU Softmax ReLU GaussianNoise GaussianDropout AlphaDropout SpatialDropout1D
SpatialDropout2D SpatialDropout3D Attention AdditiveAttention MultiHeadAttention
GroupedQueryAttention Rescaling Resizing CenterCrop RandomFlip RandomRotation RandomZoom
RandomTranslation RandomContrast RandomCrop RandomHeight RandomWidth RandomBrightness
TextVectorization StringLookup IntegerLookup CategoryEncoding Hashing HashedCrossing
Discretization TFOpLambda SlicingOpLambda InstanceProperty InstanceMethod ClassMethod
Sequential Functional Model
"""
_OTHERS = """
Zeros Ones Constant RandomNormal RandomUniform TruncatedNormal VarianceScaling Orthogonal
GlorotNormal GlorotUniform HeNormal HeUniform LecunNormal LecunUniform zeros ones constant
L1 L2 L1L2 OrthogonalRegularizer MaxNorm NonNeg UnitNorm MinMaxNorm RadialConstraint
Policy DTypePolicy FloatDTypePolicy QuantizedDTypePolicy QuantizedFloat8DTypePolicy
Adam AdamW SGD RMSprop Adagrad Adadelta Adamax Nadam Ftrl Lion Adafactor LossScaleOptimizer
ExponentialDecay PiecewiseConstantDecay PolynomialDecay InverseTimeDecay CosineDecay
CosineDecayRestarts TensorShape function
MeanMetricWrapper LossFunctionWrapper Mean Sum Accuracy BinaryAccuracy CategoricalAccuracy
SparseCategoricalAccuracy TopKCategoricalAccuracy SparseTopKCategoricalAccuracy AUC Precision
Recall MeanSquaredError MeanAbsoluteError MeanAbsolutePercentageError
MeanSquaredLogarithmicError RootMeanSquaredError CosineSimilarity LogCoshError Hinge
SquaredHinge CategoricalHinge KLDivergence Poisson BinaryCrossentropy CategoricalCrossentropy
SparseCategoricalCrossentropy BinaryFocalCrossentropy CategoricalFocalCrossentropy Huber LogCosh
MeanIoU IoU OneHotIoU OneHotMeanIoU BinaryIoU TruePositives TrueNegatives FalsePositives
FalseNegatives PrecisionAtRecall RecallAtPrecision SensitivityAtSpecificity
SpecificityAtSensitivity R2Score F1Score FBetaScore DenseFeatures SequenceFeatures
__tuple__ __lambda__ __tensor__ __numpy__ __bytes__ __typespec__ __ellipsis__ __slice__
__keras_tensor__ __dtype__
"""
BUILTIN_CLASSES = frozenset((_LAYERS + _OTHERS).split())
"""Class names a Keras 2 configuration may use without custom code."""

TF_OP_LAMBDAS = frozenset({"TFOpLambda", "SlicingOpLambda"})
"""Keras 2 layers that call a TensorFlow function named in their config."""

DANGEROUS_TF_FUNCTIONS = (
    "write_file", "read_file", "py_function", "py_func", "numpy_function", "gfile",
    "matching_files", "WriteFile", "ReadFile", "PyFunc", "load_library", "load_op_library",
    "save_v2", "SaveV2",
)
"""Parts of TensorFlow function names (``io.write_file``) that touch files or run Python."""

DANGEROUS_KERAS_FUNCTIONS = frozenset({
    "get_file", "load_model", "save_model", "load_weights", "save_weights",
    "enable_unsafe_deserialization", "load_img", "save_img", "image_dataset_from_directory",
    "text_dataset_from_directory", "audio_dataset_from_directory",
})
"""Keras functions that download, read or write files (``keras.utils.get_file`` overwrote files
in a crafted config, CVE-2025-8747) or turn safe mode off."""

TRUSTED_ROOTS = frozenset({"keras", "tf_keras", "tensorflow", "keras_hub", "keras_nlp",
                           "keras_cv", "keras_rs"})

DANGEROUS_ROOTS = frozenset({
    "os", "posix", "nt", "subprocess", "builtins", "__builtin__", "sys", "importlib", "runpy",
    "pickle", "_pickle", "cPickle", "marshal", "shutil", "socket", "ctypes", "code", "codeop",
    "pty", "webbrowser", "pdb", "commands", "multiprocessing", "asyncio", "operator",
    "functools", "types", "io", "pathlib", "tempfile", "glob", "urllib", "http", "requests",
    "ftplib", "smtplib", "telnetlib", "dill", "cloudpickle", "joblib", "pkgutil", "platform",
    "signal", "threading", "_thread", "inspect", "gc",
})
"""Modules whose functions run commands, code, or touch files and the network."""


def _root(module: str) -> str:
    return module.strip().split(".", 1)[0]


def is_dangerous_module(module: str) -> bool:
    """Whether importing from ``module`` can run commands or code by itself."""
    return bool(module) and _root(module) in DANGEROUS_ROOTS


def is_trusted_module(module: str) -> bool:
    """Whether ``module`` belongs to Keras or TensorFlow."""
    return bool(module) and _root(module) in TRUSTED_ROOTS
