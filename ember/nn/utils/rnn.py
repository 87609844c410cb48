"""nn.utils.rnn: PackedSequence, pack/pad helpers for variable-length sequences (PyTorch's layout)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap
from ...ops.creation import as_tensor, full
from ...ops.shape import cat

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of ``0 .. n-1`` (None stays None)."""
    if permutation is None:
        return None
    p = permutation._np().astype(np.int64)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size)
    return _wrap(inv) if permutation.device.type == "cpu" else _wrap(inv).to(permutation.device)


class PackedSequence(PackedSequence_):
    """Time-major packed batch of variable-length sequences: ``data (sum(lengths), *)`` and ``batch_sizes``.

    >>> import ember
    >>> from ember.nn.utils.rnn import pack_sequence
    >>> p = pack_sequence([ember.tensor([1., 2., 3.]), ember.tensor([4., 5.])])
    >>> p.data, p.batch_sizes
    (tensor([1., 4., 2., 5., 3.]), tensor([2, 2, 1]))
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if isinstance(data, (list, tuple)) and len(data) == 2:
                data, batch_sizes = data
            else:
                raise ValueError("PackedSequence needs `batch_sizes` (a 1-D CPU int64 tensor)")
        if batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                             "created manually. They should be instantiated by functions like pack_sequence and "
                             "pack_padded_sequences in nn.utils.rnn. https://pytorch.org/docs/stable/nn.html"
                             "#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """Move or cast ``data`` (and the index tensors' device), like ``Tensor.to``."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        si = None if self.sorted_indices is None else self.sorted_indices.to(dev)
        ui = None if self.unsorted_indices is None else self.unsorted_indices.to(dev)
        return type(self)(data, self.batch_sizes, si, ui)

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self.to("cuda" if not args else args[0])

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self.to(dtype=D.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=D.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=D.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=D.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=D.int32)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _lengths(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._np().astype(np.int64).reshape(-1)
    return np.asarray([int(v) for v in lengths], dtype=np.int64)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded ``(T, B, *)`` (or ``(B, T, *)``) batch whose sequences have the given ``lengths``.

    >>> import ember
    >>> from ember.nn.utils.rnn import pack_padded_sequence
    >>> pack_padded_sequence(ember.tensor([[1., 2.], [3., 0.]]), [2, 1]).data
    tensor([1., 2., 3.])
    """
    ln = _lengths(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-ln, kind="stable")
        ln = ln[order]
        sorted_indices = _wrap(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices if input.device.type == "cpu"
                                   else sorted_indices.to(input.device))
    if batch_first:
        input = input.transpose(0, 1)
    t_max, b = input.shape[0], input.shape[1]
    if ln.size != b:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {ln.size} (batch_size={b})")
    if ln.size and ln.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is "
                           "<= 0")
    if enforce_sorted and np.any(np.diff(ln) > 0):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
                           "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if ln[0] > t_max:
        raise RuntimeError(f"Expected all lengths to be at most the sequence length {t_max}, but got {int(ln[0])}")
    steps = np.arange(int(ln[0]))
    batch_sizes = (ln[None, :] > steps[:, None]).sum(1).astype(np.int64)
    rows = np.flatnonzero(np.arange(b)[None, :] < batch_sizes[:, None])  # (t, i) with i < batch_sizes[t], t-major
    flat = input.reshape((t_max * b,) + tuple(input.shape[2:]))
    idx = _wrap(rows) if input.device.type == "cpu" else _wrap(rows).to(input.device)
    data = flat.index_select(0, idx)
    return PackedSequence(data, _wrap(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None):
    """Inverse of pack_padded_sequence: returns ``(padded, lengths)``.

    >>> import ember
    >>> from ember.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> pad_packed_sequence(pack_sequence([ember.tensor([1., 2.]), ember.tensor([3.])]))
    (tensor([[1., 3.],
            [2., 0.]]), tensor([2, 1]))
    """
    data, batch_sizes = sequence.data, sequence.batch_sizes
    bs = batch_sizes._np().astype(np.int64)
    t_len = bs.size
    if total_length is not None:
        if total_length < t_len:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {t_len}")
        t_len = total_length
    b = int(bs[0])
    n = data.shape[0]
    valid = np.zeros((t_len, b), dtype=bool)
    valid[:bs.size] = np.arange(b)[None, :] < bs[:, None]
    idx = np.full(t_len * b, n, dtype=np.int64)  # row n is the padding row
    idx[valid.reshape(-1)] = np.arange(n)
    rest = tuple(data.shape[1:])
    src = cat([data, full((1,) + rest, padding_value, dtype=data.dtype, device=data.device)])
    it = _wrap(idx) if data.device.type == "cpu" else _wrap(idx).to(data.device)
    padded = src.index_select(0, it).reshape((t_len, b) + rest)
    lengths = (bs[None, :] > np.arange(b)[:, None]).sum(1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    ui = sequence.unsorted_indices
    if ui is not None:
        padded = padded.index_select(0 if batch_first else 1, ui)
        lengths = lengths[ui._np().astype(np.int64)]
    return padded, _wrap(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack variable-length tensors ``(L_i, *)`` into ``(max L, B, *)`` (or ``(B, max L, *)``), padding the rest.

    >>> import ember
    >>> from ember.nn.utils.rnn import pad_sequence
    >>> pad_sequence([ember.tensor([1., 2.]), ember.tensor([3.])], batch_first=True, padding_value=-1.)
    tensor([[ 1.,  2.],
            [ 3., -1.]])
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    lens = [s.shape[0] for s in sequences]
    t_max = max(lens)
    rest = tuple(sequences[0].shape[1:])
    ln = np.asarray(lens, dtype=np.int64)
    n = int(ln.sum())
    start = np.concatenate([[0], np.cumsum(ln)[:-1]])[:, None]
    j = np.arange(t_max)[None, :]
    shift = 0 if padding_side == "right" else (t_max - ln)[:, None]
    k = j - shift  # position inside each sequence
    idx = np.where((k >= 0) & (k < ln[:, None]), start + k, n)  # n: the padding row
    if not batch_first:
        idx = idx.T
    dev = sequences[0].device
    src = cat(sequences + [full((1,) + rest, padding_value, dtype=sequences[0].dtype, device=dev)])
    it = _wrap(np.ascontiguousarray(idx).reshape(-1))
    out = src.index_select(0, it if dev.type == "cpu" else it.to(dev))
    return out.reshape(idx.shape + rest)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """Split a padded batch back into a list of variable-length tensors."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[i, :int(L)] for i, L in enumerate(_lengths(lengths))]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of variable-length tensors (longest first unless ``enforce_sorted=False``)."""
    lengths = as_tensor([v.shape[0] for v in sequences], dtype=D.int64)
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Unpack a PackedSequence into a list of variable-length tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
