"""Fine-tune a model loaded from a PyTorch checkpoint file (beyond the course).

With ``--checkpoint FILE`` it loads that file (written by ``torch.save(model.state_dict(), FILE)`` for the
architecture below); without it, it writes a checkpoint in PyTorch's zip format itself first (using
PyTorch if it is installed, else Ember's own format), then loads it with ``torch.load`` (Ember's, which
reads PyTorch files without PyTorch), replaces the head and fine-tunes it on the Iris data.
"""
import argparse
import os
import sys

import ember as torch
from ember import nn
from ember.datasets import iris
from _common import parse_args


def make_backbone():
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))


pre = argparse.ArgumentParser(add_help=False)
pre.add_argument("--checkpoint")
known, rest = pre.parse_known_args()
args = parse_args(__doc__, rest)
path = known.checkpoint
if path is None:
    path = os.path.join(args.out, "pretrained.pt")
    try:
        import torch as real_torch  # only to produce a genuine PyTorch file for the demonstration

        real_torch.manual_seed(0)
        m = real_torch.nn.Sequential(real_torch.nn.Linear(4, 16), real_torch.nn.ReLU(),
                                     real_torch.nn.Linear(16, 16), real_torch.nn.ReLU(),
                                     real_torch.nn.Linear(16, 3))
        real_torch.save(m.state_dict(), path)
        print(f"wrote a PyTorch checkpoint with torch {real_torch.__version__}: {path}")
    except ImportError:
        torch.manual_seed(0)
        torch.save(make_backbone().state_dict(), path)
        print(f"PyTorch is not installed: wrote an Ember checkpoint instead: {path}")

model = make_backbone()
state = torch.load(path)
print(model.load_state_dict(state))
for p in model[:4].parameters():        # freeze the backbone, fine-tune the head
    p.requires_grad_(False)
model[4] = nn.Linear(16, 3)
data = iris()
train, test = data.train_test_split(0.2, seed=0)
x, y = train.tensors
mu, sd = x.mean(0), x.std(0)
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=0.05)
for step in range(30 if args.quick else 200):
    loss = nn.functional.cross_entropy(model((x - mu) / sd), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
xt, yt = test.tensors
with torch.no_grad():
    acc = (model((xt - mu) / sd).argmax(1) == yt).float().mean().item()
print(f"fine-tuned head: loss {loss.item():.3f}, test accuracy {acc:.3f}")
torch.save(model.state_dict(), os.path.join(args.out, "finetuned.ckpt"))
sys.exit(0)
