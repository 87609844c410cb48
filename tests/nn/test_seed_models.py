"""The course's models (shared/seeds): prints, seeded outputs and short training runs equal torch's."""
from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import torch

import ember


def _load(name: str) -> np.ndarray:
    path = resources.files("ember.datasets").joinpath("data", name)
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    return header, rows


def _iris():
    _, rows = _load("iris.csv")
    x = np.array([[float(v) for v in r[:4]] for r in rows], np.float32)
    names = sorted({r[4] for r in rows})
    y = np.array([names.index(r[4]) for r in rows], np.int64)
    return (x - x.mean(0)) / x.std(0), y


def _breast_cancer(n=120):
    _header, rows = _load("breast_cancer.csv")
    data = np.array([[float(v) for v in r] for r in rows[:n]], np.float32)
    x, y = data[:, :-1], data[:, -1:]
    return (x - x.mean(0)) / (x.std(0) + 1e-6), y


def test_linear_layer_slide_prints_match():
    for seed in (0, 42, 123):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        tl = torch.nn.Linear(in_features=3, out_features=2)
        el = ember.nn.Linear(in_features=3, out_features=2)
        assert str(el.weight) == str(tl.weight) and str(el.bias) == str(tl.bias)
        x = [[1.0, 2.0, 3.0]]
        eo, to = el(ember.tensor(x)), tl(torch.tensor(x))
        assert f"Output: {eo}" == f"Output: {to}"
        assert str(eo).endswith("grad_fn=<AddmmBackward0>)")
        w, b = el.weight, el.bias
        manual = ember.tensor(x) @ w.t() + b
        np.testing.assert_allclose(manual.detach().numpy(), eo.detach().numpy(), rtol=1e-6)


def test_activation_slide_prints_match():
    cases = [("relu", [-1.0, 0.0, 1.0, 2.0], {}), ("sigmoid", [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0], {}),
             ("softmax", [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], {"dim": 1})]
    for name, x, kw in cases:
        assert str(getattr(ember, name)(ember.tensor(x), **kw)) == str(getattr(torch, name)(torch.tensor(x), **kw))


def _simple_net(lib, names=("fc1", "fc2")):
    nn = lib.nn

    class SimpleNeuralNet(nn.Module):
        def __init__(self):
            super().__init__()
            setattr(self, names[0], nn.Linear(3, 4))
            setattr(self, names[1], nn.Linear(4, 2))

        def forward(self, x):
            x = getattr(self, names[0])(x)
            x = lib.relu(x)
            return getattr(self, names[1])(x)

    return SimpleNeuralNet()


@pytest.mark.parametrize("names", [("fc1", "fc2"), ("layer1", "layer2")])
def test_simple_neural_net(names):
    torch.manual_seed(0)
    ember.manual_seed(0)
    tm, em = _simple_net(torch, names), _simple_net(ember, names)
    assert repr(em) == repr(tm)
    x = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]
    assert f"Model output: {em(ember.tensor(x))}" == f"Model output: {tm(torch.tensor(x))}"
    assert list(em.state_dict()) == list(tm.state_dict())


def test_iris_network_training_matches_torch():
    x, y = _iris()
    torch.manual_seed(1)
    ember.manual_seed(1)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU(), torch.nn.Linear(2, 3))
    em = ember.nn.Sequential(ember.nn.Linear(4, 2), ember.nn.ReLU(), ember.nn.Linear(2, 3))
    assert repr(em) == repr(tm)
    tloss_fn, eloss_fn = torch.nn.CrossEntropyLoss(), ember.nn.CrossEntropyLoss()
    tx, ty, ex, ey = torch.tensor(x), torch.tensor(y), ember.tensor(x), ember.tensor(y)
    lr = 0.5
    for step in range(25):
        for m in (tm, em):
            m.zero_grad()
        tl, el = tloss_fn(tm(tx), ty), eloss_fn(em(ex), ey)
        np.testing.assert_allclose(el.item(), tl.item(), rtol=2e-5, err_msg=f"step {step}")
        tl.backward()
        el.backward()
        with torch.no_grad():
            for p in tm.parameters():
                p -= lr * p.grad
        with ember.no_grad():
            for p in em.parameters():
                p -= lr * p.grad
    for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=n)
    tprob = torch.softmax(tm(tx), dim=1)
    eprob = ember.softmax(em(ex), dim=1)
    np.testing.assert_allclose(eprob.detach().numpy(), tprob.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert (eprob.argmax(1).numpy() == tprob.argmax(1).numpy()).mean() > 0.98
    hidden_e, hidden_t = em[0](ex), tm[0](tx)  # the "latent space" plotted in the exercise
    np.testing.assert_allclose(hidden_e.detach().numpy(), hidden_t.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_binary_cross_entropy_network_with_adam():
    x, y = _breast_cancer()
    torch.manual_seed(7)
    ember.manual_seed(7)
    tm = torch.nn.Sequential(torch.nn.Linear(30, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Sigmoid())
    em = ember.nn.Sequential(ember.nn.Linear(30, 8), ember.nn.ReLU(), ember.nn.Linear(8, 1), ember.nn.Sigmoid())
    assert repr(em) == repr(tm)
    topt = torch.optim.Adam(tm.parameters(), lr=0.01)
    eopt = ember.optim.Adam(em.parameters(), lr=0.01)
    tx, ty, ex, ey = torch.tensor(x), torch.tensor(y), ember.tensor(x), ember.tensor(y)
    for step in range(15):
        topt.zero_grad()
        eopt.zero_grad()
        tl = torch.nn.BCELoss()(tm(tx), ty)
        el = ember.nn.BCELoss()(em(ex), ey)
        np.testing.assert_allclose(el.item(), tl.item(), rtol=1e-4, err_msg=f"step {step}")
        tl.backward()
        el.backward()
        topt.step()
        eopt.step()
    for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-3, atol=1e-4, err_msg=n)


def test_logistic_regression_exercise():
    r = np.random.default_rng(0)
    x = r.standard_normal((40, 2)).astype(np.float32)
    y = (x[:, :1] + 0.5 * x[:, 1:] > 0).astype(np.float32)
    res = []
    for lib in (torch, ember):
        lib.manual_seed(0)

        class LogisticRegression(lib.nn.Module):
            def __init__(self, num_features):
                super().__init__()
                self.linear = lib.nn.Linear(num_features, 1)

            def forward(self, x):
                return lib.sigmoid(self.linear(x))

        model = LogisticRegression(2)
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(20):
            loss = lib.nn.functional.binary_cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        res.append((losses, model.linear.weight.detach().numpy().copy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-5)
