"""Save a model and reload it, for `ember run` tests (takes an output folder argument)."""
import os
import sys

import torch
import torch.nn as nn

out = sys.argv[1]
torch.manual_seed(3)
model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
path = os.path.join(out, "model.pt")
torch.save(model.state_dict(), path)
fresh = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
print(fresh.load_state_dict(torch.load(path)))
x = torch.linspace(-1, 1, 6).reshape(2, 3)
with torch.no_grad():
    print(fresh(x))
