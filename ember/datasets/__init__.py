"""Small public data sets embedded in the package (no network): Iris, digits, breast cancer, tiny Shakespeare.

Attribution and licences: ``ember/datasets/data/SOURCES.md``.
"""
from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

__all__ = ["iris", "digits", "breast_cancer", "tiny_shakespeare", "train_test_split", "Vocabulary", "LabeledData"]


def _path(name: str):
    return resources.files(__package__).joinpath("data", name)


def _read_csv(name: str):
    p = _path(name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(p, "rt", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@dataclass
class LabeledData:
    """A classification data set: features X (float32), labels y (int64) and names.

    It behaves as a ``TensorDataset`` (``len``, indexing gives ``(x, y)``) and splits with ``train_test_split``.
    """

    X: object
    y: object
    feature_names: list = field(default_factory=list)
    class_names: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]

    @property
    def tensors(self):
        return self.X, self.y

    def dataset(self):
        """The data as an ``ember.utils.data.TensorDataset``."""
        from ..utils.data import TensorDataset  # noqa: PLC0415

        return TensorDataset(self.X, self.y)

    def train_test_split(self, test_fraction: float = 0.2, seed: int = 0, stratify: bool = True):
        """Two ``TensorDataset``s (train, test); see ``train_test_split``."""
        return train_test_split(self.X, self.y, test_fraction, seed, stratify)


def _labeled(X: np.ndarray, y: np.ndarray, features, classes) -> LabeledData:
    from .. import tensor  # noqa: PLC0415

    return LabeledData(tensor(X.astype(np.float32)), tensor(y.astype(np.int64)), list(features), list(classes))


def iris() -> LabeledData:
    """Fisher's Iris: 150 flowers, 4 features (cm), 3 species.

    >>> import ember
    >>> data = ember.datasets.iris()
    >>> data.X.shape, data.class_names
    (torch.Size([150, 4]), ['setosa', 'versicolor', 'virginica'])
    """
    header, rows = _read_csv("iris.csv")
    classes = sorted({r[-1] for r in rows})
    X = np.array([[float(v) for v in r[:-1]] for r in rows])
    y = np.array([classes.index(r[-1]) for r in rows])
    return _labeled(X, y, header[:-1], classes)


def digits() -> LabeledData:
    """1,797 hand-written digits as 8x8 images (pixel values 0-16, as float32), labels 0-9.

    >>> import ember
    >>> ember.datasets.digits().X.shape
    torch.Size([1797, 64])
    """
    header, rows = _read_csv("digits.csv.gz")
    arr = np.array(rows, dtype=np.float64)
    return _labeled(arr[:, :-1], arr[:, -1], header[:-1], [str(i) for i in range(10)])


def breast_cancer() -> LabeledData:
    """Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, label 1 = malignant.

    >>> import ember
    >>> ember.datasets.breast_cancer().X.shape
    torch.Size([569, 30])
    """
    header, rows = _read_csv("breast_cancer.csv")
    arr = np.array(rows, dtype=np.float64)
    return _labeled(arr[:, :-1], arr[:, -1], header[:-1], ["benign", "malignant"])


class Vocabulary:
    """Character vocabulary of a text: ``encode`` to int64 tensors and ``decode`` back.

    >>> v = Vocabulary("hello")
    >>> v.decode(v.encode("hello"))
    'hello'
    """

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, s: str):
        from .. import tensor, int64  # noqa: PLC0415

        try:
            return tensor([self.stoi[c] for c in s], dtype=int64)
        except KeyError as e:
            raise ValueError(f"character {e.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        return "".join(self.chars[i] for i in ids)


def tiny_shakespeare() -> str:
    """About 1.1 MB of Shakespeare's plays as one string (use ``Vocabulary`` for character ids).

    >>> import ember
    >>> text = ember.datasets.tiny_shakespeare()
    >>> len(Vocabulary(text))
    65
    """
    return _path("tinyshakespeare.txt").read_text(encoding="utf-8")


def train_test_split(X, y, test_fraction: float = 0.2, seed: int = 0, stratify: bool = True):
    """Split tensors ``X``, ``y`` into (train, test) ``TensorDataset``s, stratified by class by default.

    The split is deterministic for a given ``seed`` and does not touch ember's global random stream.

    >>> import ember
    >>> d = ember.datasets.iris()
    >>> train, test = d.train_test_split(0.2)
    >>> len(train), len(test)
    (120, 30)
    """
    from ..utils.data import TensorDataset  # noqa: PLC0415

    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    labels = y.numpy() if hasattr(y, "numpy") else np.asarray(y)
    n = len(labels)
    if stratify:
        test_idx = []
        for c in np.unique(labels):
            idx = np.flatnonzero(labels == c)
            rng.shuffle(idx)
            test_idx.extend(idx[: int(round(len(idx) * test_fraction))])
        test_idx = np.sort(np.array(test_idx, dtype=np.int64))
    else:
        perm = rng.permutation(n)
        test_idx = np.sort(perm[: int(round(n * test_fraction))])
    mask = np.ones(n, dtype=bool)
    mask[test_idx] = False
    from .. import tensor  # noqa: PLC0415

    tr = tensor(np.flatnonzero(mask))
    te = tensor(test_idx)
    return TensorDataset(X[tr], y[tr]), TensorDataset(X[te], y[te])
