"""Loss modules and functions against torch: every reduction, options, N-d inputs, grads, grad_fn names, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

from ._nn_compare import assert_same, compare_module, pair, randn, rng


def _run(make, inputs, dtype="float64", grad_fn=True, rtol=None, atol=None, nondiff=()):
    """``make(nn)`` builds the loss; ``inputs``: NumPy arrays (float ones get gradients unless in ``nondiff``)."""
    res = {}
    for lib in (torch, ember):
        ts = []
        for i, a in enumerate(inputs):
            rg = a.dtype.kind == "f" and i not in nondiff
            ts.append(lib.tensor(a.copy(), requires_grad=rg))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = make(lib.nn)(*ts)
        g = randn(tuple(out.shape), dtype, seed=9)
        out.backward(lib.tensor(g))
        res[lib.__name__] = (out, ts)
    (to, tts), (eo, ets) = res["torch"], res["ember"]
    assert_same(eo, to, rtol, atol, "loss")
    if grad_fn:
        assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__
    for i, (e, t) in enumerate(zip(ets, tts)):
        if t.requires_grad:
            assert_same(e.grad, t.grad, rtol, atol, f"grad {i}")
    return eo, to


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regression_losses(reduction, dtype):
    x, y = randn((3, 4), dtype, 1), randn((3, 4), dtype, 2)
    for make in [lambda nn: nn.L1Loss(reduction=reduction), lambda nn: nn.MSELoss(reduction=reduction),
                 lambda nn: nn.SmoothL1Loss(reduction=reduction), lambda nn: nn.SmoothL1Loss(reduction=reduction,
                                                                                             beta=0.5),
                 lambda nn: nn.SmoothL1Loss(reduction=reduction, beta=0.0),
                 lambda nn: nn.HuberLoss(reduction=reduction), lambda nn: nn.HuberLoss(reduction=reduction, delta=0.3)]:
        _run(make, [x, y], dtype)
    _run(lambda nn: nn.SoftMarginLoss(reduction=reduction), [x, np.sign(y)], dtype, nondiff=(1,))
    with pytest.raises(RuntimeError, match="The function 'soft_margin_loss' is not differentiable with respect to "
                                           "argument 'target'"):
        ember.nn.SoftMarginLoss()(ember.tensor(x), ember.tensor(y, requires_grad=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_losses(reduction):
    x, y, w = randn((3, 4), "float64", 1), randn((3, 4), "float64", 2), np.abs(randn((3, 4), "float64", 3))
    for name in ("l1_loss", "mse_loss", "huber_loss"):
        _run(lambda nn: lambda a, b, c: getattr(nn.functional, name)(a, b, reduction=reduction, weight=c),
             [x, y, w], grad_fn=False, nondiff=(2,))
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        ember.nn.functional.mse_loss(ember.ones(3, 4), ember.ones(3, 4), weight=ember.ones(4))


def test_loss_broadcast_error_names_torchs_dimension():
    """Several mismatched dims: PyTorch reports the rightmost (the message named the leftmost before)."""
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss"):
        msgs = []
        for m in (torch, ember):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(RuntimeError) as err:
                    getattr(m.nn.functional, name)(m.ones(2, 3), m.ones(4, 5))
            msgs.append(str(err.value))
        assert msgs[0] == msgs[1]


def test_mse_broadcast_warning_and_grad_to_target():
    x, y = randn((3, 1), "float64", 1), randn((4,), "float64", 2)
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4\]\)\) that is different to the input "
                                         r"size \(torch.Size\(\[3, 1\]\)\)"):
        ember.nn.functional.mse_loss(ember.tensor(x), ember.tensor(y))
    _run(lambda nn: nn.MSELoss(), [x, y])
    with pytest.raises(RuntimeError, match="The size of tensor a \\(3\\) must match the size of tensor b \\(4\\) at "
                                           "non-singleton dimension 0"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ember.nn.functional.mse_loss(ember.ones(3), ember.ones(4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_class_indices(reduction, dtype):
    r = rng(4)
    cases = [((5, 4), (5,)), ((1, 3), (1,)), ((4,), ()), ((2, 3, 4), (2, 4)), ((2, 3, 2, 2), (2, 2, 2)),
             ((2, 3, 2, 1, 2), (2, 2, 1, 2))]
    for xs, ts in cases:
        x = randn(xs, dtype, 5, scale=3)
        c = xs[1] if len(xs) > 1 else xs[0]
        t = r.integers(0, c, ts).astype(np.int64)
        w = np.abs(randn((c,), dtype, 6)) + 0.1
        t_ign = t.copy()
        t_ign.flat[0] = -100
        for make, args in [(lambda nn: nn.CrossEntropyLoss(reduction=reduction), [x, t]),
                           (lambda nn: nn.CrossEntropyLoss(reduction=reduction), [x, t_ign]),
                           (lambda nn: lambda a, b, ww: nn.functional.cross_entropy(a, b, ww, reduction=reduction),
                            [x, t, w]),
                           (lambda nn: lambda a, b, ww: nn.functional.cross_entropy(a, b, ww, ignore_index=1,
                                                                                   reduction=reduction), [x, t, w]),
                           (lambda nn: lambda a, b: nn.functional.nll_loss(nn.functional.log_softmax(a, 1 if a.ndim
                                                                                                     > 1 else 0), b,
                                                                           reduction=reduction), [x, t_ign]),
                           (lambda nn: nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.2), [x, t_ign]),
                           (lambda nn: lambda a, b, ww: nn.functional.cross_entropy(a, b, ww, label_smoothing=0.3,
                                                                                   reduction=reduction), [x, t, w])]:
            _run(make, args, dtype, nondiff=(2,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction):
    for shape in [(4, 3), (2, 3, 5), (3,)]:
        x = randn(shape, "float64", 1, scale=2)
        ax = 1 if len(shape) > 1 else 0
        p = np.exp(randn(shape, "float64", 2))
        p /= p.sum(ax, keepdims=True)
        w = np.abs(randn((shape[ax],), "float64", 3)) + 0.1
        _run(lambda nn: nn.CrossEntropyLoss(reduction=reduction), [x, p], grad_fn=reduction != "mean")
        _run(lambda nn: nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1), [x, p],
             grad_fn=reduction != "mean")
        _run(lambda nn: lambda a, b, ww: nn.functional.cross_entropy(a, b, ww, reduction=reduction), [x, p, w],
             grad_fn=reduction != "mean", nondiff=(2,))


def test_cross_entropy_stability_and_all_ignored():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]], np.float32)
    t = np.array([1, 2])
    eo, _ = _run(lambda nn: nn.CrossEntropyLoss(), [x, t], "float32")
    assert np.isfinite(eo.item())
    _run(lambda nn: nn.CrossEntropyLoss(reduction="sum"), [x, np.array([-100, -100])], "float32")
    e = ember.nn.CrossEntropyLoss()(ember.tensor(x), ember.tensor([-100, -100]))
    assert np.isnan(e.item()) and np.isnan(torch.nn.CrossEntropyLoss()(torch.tensor(x), torch.tensor([-100, -100])
                                                                       ).item())


@pytest.mark.parametrize("scale", [0.1, 10.0, 60.0, 200.0])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_fast_path_with_and_without_the_row_shift(scale, reduction):
    # the fast path's log-sum-exp skips the shift by the row maxima while every logit is inside exp's safe range
    # (scales 0.1 and 10) and keeps it beyond (60 and 200 reach past it); both agree with torch
    x = randn((256, 65), "float32", 3, scale=scale)
    t = rng(5).integers(0, 65, 256).astype(np.int64)
    tol = {"rtol": 1e-5, "atol": 1e-6 * max(scale, 1.0)}
    _run(lambda nn: nn.CrossEntropyLoss(reduction=reduction), [x, t], "float32", **tol)


def test_nll_cross_entropy_errors_match_torch():
    x = randn((3, 4))
    cases = [(lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0., 1., 2.]))),
             (lambda lib: lib.nn.functional.nll_loss(lib.tensor(x), lib.tensor([0., 1., 2.]))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1]))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1, 4]))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, -1, 2]))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, -100, 2]), ignore_index=7)),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1, 2], dtype=lib.int32))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.zeros(3, 5))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.zeros(2, 3, 4), lib.zeros(2, 5, dtype=lib.int64))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1, 2]), weight=lib.ones(3))),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1, 2]), reduction="bad")),
             (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(x), lib.tensor([0, 1, 2]), label_smoothing=2.)),
             (lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) / 2, lib.ones(4))),
             (lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) * 2, lib.ones(3))),
             (lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(4))),
             (lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(3), lib.ones(3), beta=-1.0)),
             (lambda lib: lib.nn.functional.huber_loss(lib.ones(3), lib.ones(3), delta=0.0)),
             (lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3), lib.tensor([0, 1]), p=3)),
             (lambda lib: lib.nn.functional.margin_ranking_loss(lib.ones(3), lib.ones(3), lib.ones(2, 3))),
             (lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(3, 2), lib.ones(3, 2), lib.ones(2)))]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(Exception) as ee:
            case(ember)
        assert type(ee.value) is type(te.value), (ee.value, te.value)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_cross_entropy(reduction, dtype):
    r = rng(3)
    x = (r.random((4, 3)) * 0.98 + 0.01).astype(dtype)
    y = r.random((4, 3)).astype(dtype)
    w = r.random((3,)).astype(dtype)
    _run(lambda nn: nn.BCELoss(reduction=reduction), [x, y], dtype)
    _run(lambda nn: lambda a, b, ww: nn.functional.binary_cross_entropy(a, b, ww, reduction=reduction), [x, y, w],
         dtype, nondiff=(2,))
    edge = np.array([0.0, 1.0, 0.5], dtype)
    _run(lambda nn: nn.BCELoss(reduction=reduction), [edge, np.array([1.0, 0.0, 1.0], dtype)], dtype, nondiff=(0,))
    logits = randn((4, 3), dtype, 5, scale=30)
    pw = np.abs(randn((3,), dtype, 6)) + 0.5
    _run(lambda nn: nn.BCEWithLogitsLoss(reduction=reduction), [logits, y], dtype)
    _run(lambda nn: lambda a, b, ww, p: nn.functional.binary_cross_entropy_with_logits(
        a, b, ww, reduction=reduction, pos_weight=p), [logits, y, w, pw], dtype, nondiff=(2, 3))


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div(reduction):
    x = np.log(np.abs(randn((3, 4), "float64", 1)) + 0.1)
    t = np.abs(randn((3, 4), "float64", 2))
    t[0, 0] = 0.0
    _run(lambda nn: nn.KLDivLoss(reduction=reduction), [x, t])
    _run(lambda nn: nn.KLDivLoss(reduction=reduction, log_target=True), [x, np.log(t + 0.5)])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_likelihood_losses(reduction):
    x, t = randn((3, 4), "float64", 1), np.abs(randn((3, 4), "float64", 2)) * 3
    t[0, :2] = [0.0, 1.0]
    _run(lambda nn: nn.PoissonNLLLoss(reduction=reduction), [x, t])
    _run(lambda nn: nn.PoissonNLLLoss(log_input=False, full=True, reduction=reduction), [np.abs(x) + 0.1, t])
    var = np.abs(randn((3, 4), "float64", 3))
    var[0, 0] = 1e-9  # clamped to eps without changing the gradient path
    _run(lambda nn: nn.GaussianNLLLoss(reduction=reduction), [x, t, var])
    _run(lambda nn: nn.GaussianNLLLoss(full=True, reduction=reduction), [x, t, var[:, 0].copy()], grad_fn=False)
    _run(lambda nn: nn.GaussianNLLLoss(reduction=reduction), [x, t, var[:, :1].copy()], grad_fn=False)
    _run(lambda nn: lambda a, b: nn.functional.gaussian_nll_loss(a, b, 0.5, reduction=reduction), [x, t],
         grad_fn=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_and_embedding_losses(reduction):
    r = rng(7)
    x1, x2 = randn((5,), "float64", 1), randn((5,), "float64", 2)
    y = np.sign(randn((5,), "float64", 3))
    _run(lambda nn: nn.MarginRankingLoss(margin=0.2, reduction=reduction), [x1, x2, y], nondiff=(2,))
    _run(lambda nn: nn.HingeEmbeddingLoss(margin=0.5, reduction=reduction), [randn((3, 4), "float64", 4),
                                                                             np.sign(randn((3, 4), "float64", 5))],
         nondiff=(1,), grad_fn=False)
    x = randn((3, 5), "float64", 6)
    _run(lambda nn: nn.MultiLabelSoftMarginLoss(reduction=reduction), [x, (r.random((3, 5)) > 0.5).astype(float)],
         grad_fn=False, nondiff=(1,))
    _run(lambda nn: lambda a, b, w: nn.functional.multilabel_soft_margin_loss(a, b, w, reduction=reduction),
         [x, (r.random((3, 5)) > 0.5).astype(float), r.random(5)], grad_fn=False, nondiff=(1, 2))
    mt = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, 0], [-1, 2, 0, 0, 0]])
    _run(lambda nn: nn.MultiLabelMarginLoss(reduction=reduction), [x, mt])
    _run(lambda nn: nn.MultiLabelMarginLoss(reduction=reduction), [x[0].copy(), mt[0].copy()])
    t = np.array([0, 4, 2])
    for p in (1, 2):
        _run(lambda nn: nn.MultiMarginLoss(p=p, margin=0.7, reduction=reduction), [x, t])
        _run(lambda nn: lambda a, b, w: nn.functional.multi_margin_loss(a, b, p=p, weight=w, reduction=reduction),
             [x, t, r.random(5)], nondiff=(2,))
    _run(lambda nn: nn.MultiMarginLoss(reduction=reduction), [x[1].copy(), np.array(3)])
    a, b = randn((4, 3), "float64", 8), randn((4, 3), "float64", 9)
    _run(lambda nn: nn.CosineEmbeddingLoss(margin=0.1, reduction=reduction), [a, b, np.array([1.0, -1, 1, -1])],
         grad_fn=False, nondiff=(2,))
    n = randn((4, 3), "float64", 10)
    for kw in ({}, {"p": 1.0, "swap": True}, {"margin": 3.0}):
        _run(lambda nn: nn.TripletMarginLoss(reduction=reduction, **kw), [a, b, n])
    _run(lambda nn: nn.TripletMarginWithDistanceLoss(reduction=reduction, swap=True), [a, b, n])
    _run(lambda nn: nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: 1.0 - nn.functional.cosine_similarity(u, v), reduction=reduction),
        [a, b, n], grad_fn=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss(reduction, zero_infinity):
    r = rng(11)
    t_len, n, c = 7, 3, 5
    x = randn((t_len, n, c), "float64", 12)
    padded = r.integers(1, c, (n, 4))
    in_len, tg_len = np.array([7, 6, 2]), np.array([3, 4, 4])  # sample 2 is impossible (inf loss)
    _run(lambda nn: lambda a, tg, il, tl: nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)(
        a.log_softmax(2), tg, il, tl), [x, padded, in_len, tg_len], grad_fn=False)
    concat = np.concatenate([padded[i, :tg_len[i]] for i in range(n)])
    in_len2, tg_len2 = np.array([7, 6, 5]), np.array([3, 0, 2])
    concat2 = np.concatenate([padded[i, :tg_len2[i]] for i in range(n)])
    _run(lambda nn: lambda a, tg, il, tl: nn.functional.ctc_loss(a.log_softmax(2), tg, il, tl, blank=0,
                                                                 reduction=reduction, zero_infinity=zero_infinity),
         [x, concat2, in_len2, tg_len2], grad_fn=False)
    _run(lambda nn: lambda a, tg, il, tl: nn.functional.ctc_loss(a, tg, il, tl, reduction=reduction),
         [x[:, 0].copy(), padded[0, :3].copy(), np.array(7), np.array(3)], grad_fn=False)
    del concat


def test_loss_module_reprs_buffers_and_legacy_args():
    pairs = [(torch.nn.CrossEntropyLoss(weight=torch.ones(3)), ember.nn.CrossEntropyLoss(weight=ember.ones(3))),
             (torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(2)), ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(2))),
             (torch.nn.NLLLoss(), ember.nn.NLLLoss()), (torch.nn.CTCLoss(), ember.nn.CTCLoss()),
             (torch.nn.HuberLoss(delta=2.0), ember.nn.HuberLoss(delta=2.0))]
    for tm, em in pairs:
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        m = ember.nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning):
        assert ember.nn.L1Loss(reduce=False).reduction == "none"
    out = ember.nn.functional.mse_loss(ember.ones(2), ember.zeros(2), size_average=False) \
        if False else ember.nn.MSELoss(reduction="sum")(ember.ones(2), ember.zeros(2))
    assert out.item() == 2.0


def test_losses_in_a_model_train_and_eval():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU(), torch.nn.Linear(2, 3))
    em = ember.nn.Sequential(ember.nn.Linear(4, 2), ember.nn.ReLU(), ember.nn.Linear(2, 3))
    em.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x, y = randn((6, 4), seed=2), rng(3).integers(0, 3, 6)
    for mode in ("train", "eval"):
        getattr(tm, mode)()
        getattr(em, mode)()
        compare_module(torch.nn.Sequential(tm, torch.nn.LogSoftmax(1)), ember.nn.Sequential(em, ember.nn.LogSoftmax(1)),
                       [x])
    ex, tx = pair(x)
    assert_same(ember.nn.CrossEntropyLoss()(em(ex), ember.tensor(y)), torch.nn.CrossEntropyLoss()(tm(tx),
                                                                                                    torch.tensor(y)))


@pytest.mark.parametrize("fn", [
    lambda m: m.nn.functional.binary_cross_entropy(m.tensor([0.5]), m.tensor([1.0], dtype=m.float64)),
    lambda m: m.nn.functional.binary_cross_entropy(m.tensor([0.5]), m.tensor([1])),
    lambda m: m.nn.functional.binary_cross_entropy(m.tensor([0.5]), m.tensor([True])),
    lambda m: m.nn.functional.binary_cross_entropy_with_logits(m.tensor([0.5]), m.tensor([1], dtype=m.int32)),
    lambda m: m.nn.functional.binary_cross_entropy_with_logits(m.tensor([0.5]), m.tensor([True])),
    lambda m: m.nn.BCEWithLogitsLoss()(m.tensor([0.5]), m.tensor([1])),
])
def test_binary_cross_entropy_target_dtype_errors_match_torch(fn):
    from _reference import same_error  # noqa: PLC0415

    same_error(fn)
