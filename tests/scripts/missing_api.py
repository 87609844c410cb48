"""Uses an API Ember does not have, for the missing-API message test."""
import torch

x = torch.ones(4)
print("before")
torch.stft(x, 4)
