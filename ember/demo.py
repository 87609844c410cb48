"""``ember demo``: train on an embedded data set with a progress bar, plot, checkpoint and reload."""
from __future__ import annotations

import os
import time

import ember as torch
from ember import nn

from . import datasets


def _progress(iterable, total, desc):
    try:
        from tqdm import tqdm  # noqa: PLC0415

        return tqdm(iterable, total=total, desc=desc, ncols=90)
    except ImportError:  # tqdm is optional: print a line every 10%
        return _PlainProgress(iterable, total, desc)


class _PlainProgress:
    def __init__(self, it, total, desc):
        self.it, self.total, self.desc, self.post = it, total, desc, ""

    def __iter__(self):
        step = max(1, self.total // 10)
        for i, x in enumerate(self.it):
            yield x
            if (i + 1) % step == 0 or i + 1 == self.total:
                print(f"{self.desc}: {i + 1}/{self.total} {self.post}", flush=True)

    def set_postfix_str(self, s):
        self.post = s

    def close(self):
        pass


def _plt():
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415

        return plt
    except ImportError:
        return None


def accuracy(model, loader) -> float:
    model.eval()
    correct = n = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            n += len(y)
    model.train()
    return correct / max(n, 1)


class IrisNet(nn.Module):
    """The course's Iris network: 4 features -> 2 hidden (ReLU) -> 3 logits."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 2)
        self.out = nn.Linear(2, 3)

    def latent(self, x):
        return torch.relu(self.hidden(x))

    def forward(self, x):
        return self.out(self.latent(x))


class DigitsCNN(nn.Module):
    """A small CNN for 8x8 digits."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


class CharTransformer(nn.Module):
    """A small character-level transformer language model."""

    def __init__(self, vocab: int, block: int = 64, d: int = 64, heads: int = 4, layers: int = 2):
        super().__init__()
        self.block = block
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(block, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        t = idx.shape[1]
        h = self.tok(idx) + self.pos(torch.arange(t))
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        return self.head(self.norm(self.blocks(h, mask=mask, is_causal=True)))


def _standardize(train, test):
    x_tr, y_tr = train.tensors
    x_te, y_te = test.tensors
    mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-8
    return (torch.utils.data.TensorDataset((x_tr - mu) / sd, y_tr),
            torch.utils.data.TensorDataset((x_te - mu) / sd, y_te))


def _save_reload_check(model, make_model, path, test_loader, acc) -> float:
    torch.save(model.state_dict(), path)
    fresh = make_model()
    fresh.load_state_dict(torch.load(path))
    acc2 = accuracy(fresh, test_loader)
    status = "same accuracy" if abs(acc2 - acc) < 1e-12 else "DIFFERENT accuracy"
    print(f"checkpoint: {path} reloaded -> test accuracy {acc2:.3f} ({status})")
    if abs(acc2 - acc) >= 1e-12:
        raise RuntimeError("the reloaded checkpoint does not reproduce the trained model's accuracy")
    return acc2


def _loss_plot(plt, losses, accs, out, title):
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
    ax[0].plot(range(1, len(losses) + 1), losses)
    ax[0].set(xlabel="epoch", ylabel="training loss", title=f"{title}: loss")
    ax[1].plot(range(1, len(accs) + 1), accs, color="tab:green")
    ax[1].set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title=f"{title}: test accuracy")
    fig.tight_layout()
    path = os.path.join(out, "loss_curve.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _train_classifier(model, train, test, epochs, lr, batch_size, desc):
    loader = torch.utils.data.DataLoader(train, batch_size=batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test, batch_size=256)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses, accs = [], []
    bar = _progress(range(epochs), epochs, desc)
    for _ in bar:
        total = n = 0.0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
            n += len(y)
        losses.append(total / n)
        accs.append(accuracy(model, test_loader))
        bar.set_postfix_str(f"loss {losses[-1]:.3f} acc {accs[-1]:.3f}")
    bar.close()
    return losses, accs, test_loader


def demo_iris(epochs, out, quick) -> dict:
    data = datasets.iris()
    # a fixed stratified split (30 test flowers); other splits give 90-100% test accuracy
    train, test = _standardize(*data.train_test_split(0.2, seed=1))
    torch.manual_seed(0)
    model = IrisNet()
    epochs = epochs or (60 if quick else 150)
    t0 = time.perf_counter()
    losses, accs, test_loader = _train_classifier(model, train, test, epochs, 0.02, 16, "iris")
    secs = time.perf_counter() - t0
    train_acc = accuracy(model, torch.utils.data.DataLoader(train, batch_size=256))
    files = []
    plt = _plt()
    if plt is not None:
        files.append(_loss_plot(plt, losses, accs, out, "Iris 4-2-3"))
        x_tr, y_tr = train.tensors
        with torch.no_grad():
            z = model.latent(x_tr).numpy()
        fig, ax = plt.subplots(figsize=(5, 4.2))
        for c, name in enumerate(data.class_names):
            m = (y_tr == c).numpy()
            ax.scatter(z[m, 0], z[m, 1], s=18, label=name, alpha=0.8)
        ax.set(xlabel="hidden unit 1 (after ReLU)", ylabel="hidden unit 2 (after ReLU)",
               title="Iris: 2-D latent space of the hidden layer")
        ax.legend()
        fig.tight_layout()
        files.append(os.path.join(out, "latent_space.png"))
        fig.savefig(files[-1], dpi=110)
        plt.close(fig)
    ckpt = os.path.join(out, "iris_model.ckpt")
    _save_reload_check(model, IrisNet, ckpt, test_loader, accs[-1])
    return {"train_acc": train_acc, "test_acc": accs[-1], "seconds": secs, "files": files + [ckpt]}


def demo_digits(epochs, out, quick) -> dict:
    data = datasets.digits()
    X = data.X.reshape(-1, 1, 8, 8) / 16.0
    tr, te = datasets.train_test_split(X, data.y, 0.2, seed=0)
    torch.manual_seed(0)
    model = DigitsCNN()
    epochs = epochs or (2 if quick else 8)
    t0 = time.perf_counter()
    losses, accs, test_loader = _train_classifier(model, tr, te, epochs, 3e-3, 32, "digits")
    secs = time.perf_counter() - t0
    train_acc = accuracy(model, torch.utils.data.DataLoader(tr, batch_size=256))
    files = []
    plt = _plt()
    if plt is not None:
        files.append(_loss_plot(plt, losses, accs, out, "Digits CNN"))
        x, y = te.tensors
        with torch.no_grad():
            pred = model(x[:24]).argmax(1)
        fig, axes = plt.subplots(3, 8, figsize=(8, 3.4))
        for i, ax in enumerate(axes.flat):
            ax.imshow(x[i, 0].numpy(), cmap="gray_r")
            ok = pred[i].item() == y[i].item()
            ax.set_title(f"{pred[i].item()}", color="green" if ok else "red", fontsize=10)
            ax.axis("off")
        fig.suptitle("Digits: predictions on test images (red = wrong)")
        fig.tight_layout()
        files.append(os.path.join(out, "predictions.png"))
        fig.savefig(files[-1], dpi=110)
        plt.close(fig)
    ckpt = os.path.join(out, "digits_model.ckpt")
    _save_reload_check(model, DigitsCNN, ckpt, test_loader, accs[-1])
    return {"train_acc": train_acc, "test_acc": accs[-1], "seconds": secs, "files": files + [ckpt]}


def _sample(model, vocab, prompt: str, n: int, block: int) -> str:
    idx = vocab.encode(prompt).unsqueeze(0)
    model.eval()
    with torch.no_grad():
        for _ in range(n):
            logits = model(idx[:, -block:])[:, -1]
            nxt = torch.multinomial(torch.softmax(logits / 0.8, -1), 1)
            idx = torch.cat([idx, nxt], 1)
    model.train()
    return vocab.decode(idx[0])


def demo_shakespeare(epochs, out, quick) -> dict:
    text = datasets.tiny_shakespeare()
    vocab = datasets.Vocabulary(text)
    data = vocab.encode(text[: 200_000] if quick else text)
    split = int(0.9 * len(data))
    train_ids, val_ids = data[:split], data[split:]
    block, batch = 64, 16
    torch.manual_seed(0)
    model = CharTransformer(len(vocab), block)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    steps = (epochs or 1) * (40 if quick else 400)

    def get_batch(ids):
        ix = torch.randint(len(ids) - block - 1, (batch,))
        x = torch.stack([ids[i:i + block] for i in ix.tolist()])
        y = torch.stack([ids[i + 1:i + block + 1] for i in ix.tolist()])
        return x, y

    losses = []
    t0 = time.perf_counter()
    bar = _progress(range(steps), steps, "shakespeare")
    for _ in bar:
        x, y = get_batch(train_ids)
        loss = nn.functional.cross_entropy(model(x).reshape(-1, len(vocab)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        bar.set_postfix_str(f"loss {losses[-1]:.3f}")
    bar.close()
    secs = time.perf_counter() - t0
    with torch.no_grad():
        xv, yv = get_batch(val_ids)
        val_loss = nn.functional.cross_entropy(model(xv).reshape(-1, len(vocab)), yv.reshape(-1)).item()
    sample = _sample(model, vocab, "ROMEO:", 120 if quick else 400, block)
    print("sampled text:\n" + sample)
    files = []
    plt = _plt()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(losses)
        ax.set(xlabel="step", ylabel="cross-entropy", title="Character transformer: training loss")
        fig.tight_layout()
        files.append(os.path.join(out, "loss_curve.png"))
        fig.savefig(files[-1], dpi=110)
        plt.close(fig)
    with open(os.path.join(out, "sample.txt"), "w", encoding="utf-8") as f:
        f.write(sample)
    files.append(os.path.join(out, "sample.txt"))
    ckpt = os.path.join(out, "shakespeare_model.ckpt")
    torch.save(model.state_dict(), ckpt)
    fresh = CharTransformer(len(vocab), block)
    fresh.load_state_dict(torch.load(ckpt))
    with torch.no_grad():
        same = torch.allclose(fresh(xv), model(xv))
    print(f"checkpoint: {ckpt} reloaded -> {'same outputs' if same else 'DIFFERENT outputs'}")
    if not same:
        raise RuntimeError("the reloaded checkpoint does not reproduce the trained model's outputs")
    return {"train_loss": losses[-1], "val_loss": val_loss, "seconds": secs, "files": files + [ckpt]}


def run_demo(args) -> int:
    os.makedirs(args.out, exist_ok=True)
    fn = {"iris": demo_iris, "digits": demo_digits, "shakespeare": demo_shakespeare}[args.dataset]
    print(f"ember {torch.__version__}: training on the embedded '{args.dataset}' data set"
          f"{' (quick)' if args.quick else ''}")
    res = fn(args.epochs, args.out, args.quick)
    print("\nsummary")
    for k, v in res.items():
        if k == "files":
            print("  files written:")
            for p in v:
                print(f"    {p}")
        elif isinstance(v, float):
            print(f"  {k:10s} {v:.3f}")
    return 0
