"""A character-level transformer language model on tiny Shakespeare (beyond the course)."""
import ember as torch
from ember import nn
from ember.datasets import Vocabulary, tiny_shakespeare
from _common import parse_args

args = parse_args(__doc__)
text = tiny_shakespeare()
vocab = Vocabulary(text)
data = vocab.encode(text[:100_000] if args.quick else text)
block, batch, d_model = 32, 16, 64
torch.manual_seed(0)


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(len(vocab), d_model)
        self.pos = nn.Parameter(torch.zeros(block, d_model))
        layer = nn.TransformerEncoderLayer(d_model, 4, 4 * d_model, dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(d_model, len(vocab))

    def forward(self, idx):
        t = idx.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        return self.head(self.encoder(self.tok(idx) + self.pos[:t], mask=mask, is_causal=True))


model = CharLM()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for step in range(20 if args.quick else 1000):
    ix = torch.randint(len(data) - block - 1, (batch,)).tolist()
    x = torch.stack([data[i:i + block] for i in ix])
    y = torch.stack([data[i + 1:i + block + 1] for i in ix])
    loss = nn.functional.cross_entropy(model(x).reshape(-1, len(vocab)), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"step {step:4d} loss {loss.item():.3f}")
idx = vocab.encode("ROMEO:").unsqueeze(0)
model.eval()
with torch.no_grad():
    for _ in range(50 if args.quick else 300):
        probs = torch.softmax(model(idx[:, -block:])[:, -1], -1)
        idx = torch.cat([idx, torch.multinomial(probs, 1)], 1)
sample = vocab.decode(idx[0])
print(sample)
with open(f"{args.out}/char_transformer_sample.txt", "w") as f:
    f.write(sample)
