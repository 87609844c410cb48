"""Recurrent layers: RNN, LSTM (with projections), GRU and their cells; PackedSequence input supported."""
from __future__ import annotations

import math
import numbers
import warnings

from ..._tensor import Tensor
from ...ops.creation import empty, zeros
from .. import init
from .._functional.linear import linear
from .._functional.rnn import rnn_layers
from ..parameter import Parameter
from .module import Module

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _packed_type():
    from ..utils.rnn import PackedSequence  # noqa: PLC0415

    return PackedSequence


class RNNBase(Module):
    """Shared machinery of RNN, LSTM and GRU: PyTorch's parameter names, shapes, order and initialisation."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_dirs = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        real_hidden = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            for direction in range(num_dirs):
                layer_input = input_size if layer == 0 else real_hidden * num_dirs
                suffix = "_reverse" if direction == 1 else ""
                params = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    params += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    params += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for base, shape in params:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in parameter order."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """Kept for API compatibility (no cuDNN weight buffer in Ember)."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ----- argument checks ---------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes) -> None:
        w0 = getattr(self, self._flat_weights_names[0])
        if input.dtype is not w0.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w0.dtype}). Convert "
                             f"input: input.to({w0.dtype}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.ndim != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.shape[-1]}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes) -> tuple:
        mini_batch = int(batch_sizes[0]) if batch_sizes is not None else \
            (input.shape[0] if self.batch_first else input.shape[1])
        nd = 2 if self.bidirectional else 1
        return (self.num_layers * nd, mini_batch, self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx: Tensor, expected: tuple, msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # ----- the computation -------------------------------------------------------
    def _weights(self) -> list:
        out = []
        for names in self._all_weights:
            ps = [getattr(self, n) for n in names]
            w_ih, w_hh = ps[0], ps[1]
            b_ih, b_hh = (ps[2], ps[3]) if self.bias else (None, None)
            w_hr = ps[-1] if self.proj_size > 0 else None
            out.append((w_ih, w_hh, b_ih, b_hh, w_hr))
        return out

    def _run(self, input, hx, cx, batch_sizes):
        """Returns ``(output, h_n, c_n)``; ``input`` is packed data or a sequence-first / batch-first tensor."""
        nd = 2 if self.bidirectional else 1
        if batch_sizes is not None:
            bs = [int(b) for b in batch_sizes.tolist()]
            data = input
        else:
            x = input.transpose(0, 1) if self.batch_first else input
            t, b = x.shape[0], x.shape[1]
            bs = [b] * t
            # the step-blocked LSTM kernel reads the (T, B, I) view in any layout (no copy of a batch-first input);
            # the other kernels take packed rows
            data = x if self.mode == "LSTM" and self.proj_size == 0 and t > 0 else x.reshape(t * b, x.shape[2])
        out, hn, cn = rnn_layers(self.mode, data, bs, hx, cx, self._weights(), self.num_layers, nd, self.dropout,
                                 self.training)
        if batch_sizes is None:
            if out.ndim == 2:
                out = out.reshape(t, b, out.shape[-1])
            if self.batch_first:
                out = out.transpose(0, 1)
        return out, hn, cn

    def _prepare(self, input, hx, name: str, is_lstm: bool):
        packed = isinstance(input, _packed_type())
        nd = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            mb = int(batch_sizes[0])
            is_batched = True
            batch_dim = None
        else:
            data, batch_sizes, sorted_indices, unsorted_indices = input, None, None, None
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                                 f"{'tensor instead' if name == 'RNN' else 'instead'}")
            is_batched = input.ndim == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                data = input.unsqueeze(batch_dim)
            mb = data.shape[0] if self.batch_first else data.shape[1]
        if hx is None:
            h = zeros(self.num_layers * nd, mb, real_hidden, dtype=data.dtype, device=data.device)
            c = zeros(self.num_layers * nd, mb, self.hidden_size, dtype=data.dtype, device=data.device) \
                if is_lstm else None
        elif is_lstm:
            h, c = hx[0], hx[1]  # indexed as PyTorch does (a 1-tuple raises its IndexError)
            if not packed:
                if is_batched and (h.ndim != 3 or c.ndim != 3):
                    raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got ({h.ndim}-D, "
                                       f"{c.ndim}-D) tensors")
                if not is_batched:
                    if h.ndim != 2 or c.ndim != 2:
                        raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got "
                                           f"({h.ndim}-D, {c.ndim}-D) tensors")
                    h, c = h.unsqueeze(1), c.unsqueeze(1)
            h, c = self.permute_hidden(h, sorted_indices), self.permute_hidden(c, sorted_indices)
        else:
            h, c = hx, None
            if h.ndim not in (2, 3):
                raise RuntimeError(f"{name}: Expected hx to be 2D or 3D, got {h.ndim}D tensor instead")
            if not packed:
                if not is_batched:
                    if h.ndim != 2:
                        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {h.ndim}-D "
                                           f"tensor")
                    h = h.unsqueeze(1)
                elif h.ndim != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {h.ndim}-D tensor")
            h = self.permute_hidden(h, sorted_indices)
        return data, batch_sizes, sorted_indices, unsorted_indices, is_batched, batch_dim, h, c, packed

    def _finish(self, out, hidden, prep):
        _, batch_sizes, sorted_indices, unsorted_indices, is_batched, batch_dim, _, _, packed = prep
        if packed:
            out = _packed_type()(out, batch_sizes, sorted_indices, unsorted_indices)
        elif not is_batched:
            out = out.squeeze(batch_dim)
            hidden = tuple(t.squeeze(1) for t in hidden) if isinstance(hidden, tuple) else hidden.squeeze(1)
        if isinstance(hidden, tuple):
            return out, tuple(self.permute_hidden(t, unsorted_indices) for t in hidden)
        return out, self.permute_hidden(hidden, unsorted_indices)


class RNN(RNNBase):
    """Elman RNN ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or ReLU), stacked and bidirectional.

    >>> import ember
    >>> rnn = ember.nn.RNN(3, 4, num_layers=2)
    >>> out, h = rnn(ember.randn(5, 2, 3))
    >>> out.shape, h.shape
    (torch.Size([5, 2, 4]), torch.Size([2, 2, 4]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx: Tensor | None = None):
        prep = self._prepare(input, hx, "RNN", False)
        data, batch_sizes, _, _, _, _, h, _, _ = prep
        self.check_forward_args(data, h, batch_sizes)
        out, hn, _ = self._run(data, h, None, batch_sizes)
        return self._finish(out, hn, prep)


class LSTM(RNNBase):
    """Long short-term memory network, stacked and bidirectional, with optional projections (``proj_size``).

    >>> import ember
    >>> lstm = ember.nn.LSTM(3, 4, batch_first=True)
    >>> out, (h, c) = lstm(ember.randn(2, 5, 3))
    >>> out.shape, h.shape, c.shape
    (torch.Size([2, 5, 4]), torch.Size([1, 2, 4]), torch.Size([1, 2, 4]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def _get_expected_cell_size(self, input: Tensor, batch_sizes) -> tuple:
        mini_batch = int(batch_sizes[0]) if batch_sizes is not None else \
            (input.shape[0] if self.batch_first else input.shape[1])
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self._get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        prep = self._prepare(input, hx, "LSTM", True)
        data, batch_sizes, _, _, _, _, h, c, _ = prep
        self.check_forward_args(data, (h, c), batch_sizes)
        out, hn, cn = self._run(data, h, c, batch_sizes)
        return self._finish(out, (hn, cn), prep)


class GRU(RNNBase):
    """Gated recurrent unit network, stacked and bidirectional.

    >>> import ember
    >>> gru = ember.nn.GRU(3, 4, bidirectional=True)
    >>> out, h = gru(ember.randn(5, 2, 3))
    >>> out.shape, h.shape
    (torch.Size([5, 2, 8]), torch.Size([2, 2, 4]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx: Tensor | None = None):
        prep = self._prepare(input, hx, "GRU", False)
        data, batch_sizes, _, _, _, _, h, _, _ = prep
        self.check_forward_args(data, h, batch_sizes)
        out, hn, _ = self._run(data, h, None, batch_sizes)
        return self._finish(out, hn, prep)


# ----------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Shared parameters of the cells: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check(self, input: Tensor, hx: Tensor, k: int = 0) -> None:
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        if input.shape[0] != hx.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size "
                               f"{hx.shape[0]}")
        if hx.shape[1] != self.hidden_size:
            raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {hx.shape[1]}, expected "
                               f"{self.hidden_size}")

    def _batched(self, input: Tensor, name: str) -> bool:
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        return input.ndim == 2


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ReLU).

    >>> import ember
    >>> ember.nn.RNNCell(3, 4)(ember.randn(2, 3)).shape
    torch.Size([2, 4])
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched = self._batched(input, "RNNCell")
        if hx is not None and hx.ndim not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.ndim}D instead")
        if not batched:
            input = input.unsqueeze(0)
        hx = zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device) if hx is None else \
            (hx if batched else hx.unsqueeze(0))
        self._check(input, hx)
        pre = linear(input, self.weight_ih, self.bias_ih) + linear(hx, self.weight_hh, self.bias_hh)
        if self.nonlinearity == "tanh":
            ret = pre.tanh()
        elif self.nonlinearity == "relu":
            ret = pre.relu()
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return ret if batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns ``(h', c')``.

    >>> import ember
    >>> h, c = ember.nn.LSTMCell(3, 4)(ember.randn(2, 3))
    >>> h.shape, c.shape
    (torch.Size([2, 4]), torch.Size([2, 4]))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx=None):
        batched = self._batched(input, "LSTMCell")
        if hx is not None:
            for i, v in enumerate(hx):
                if v.ndim not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{i}] to be 1D or 2D, got {v.ndim}D instead")
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        if len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        h, c = hx
        self._check(input, h, 0)
        self._check(input, c, 1)
        gates = linear(input, self.weight_ih, self.bias_ih) + linear(h, self.weight_hh, self.bias_hh)
        i, f, g, o = gates.chunk(4, 1)
        cy = f.sigmoid() * c + i.sigmoid() * g.tanh()
        hy = o.sigmoid() * cy.tanh()
        return (hy, cy) if batched else (hy.squeeze(0), cy.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = (1 - z) * n + z * h``.

    >>> import ember
    >>> ember.nn.GRUCell(3, 4)(ember.randn(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        batched = self._batched(input, "GRUCell")
        if hx is not None and hx.ndim not in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.ndim}D instead")
        if not batched:
            input = input.unsqueeze(0)
        hx = zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device) if hx is None else \
            (hx if batched else hx.unsqueeze(0))
        self._check(input, hx)
        ir, iz, i_n = linear(input, self.weight_ih, self.bias_ih).chunk(3, 1)
        hr, hz, h_n = linear(hx, self.weight_hh, self.bias_hh).chunk(3, 1)
        r = (ir + hr).sigmoid()
        z = (iz + hz).sigmoid()
        n = (i_n + r * h_n).tanh()
        hy = n + z * (hx - n)
        return hy if batched else hy.squeeze(0)
