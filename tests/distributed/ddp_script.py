"""Run under ``mpiexec -n N``: data-parallel training against one process on the global batch.

Rank 0 prints one JSON line of measured differences; the other ranks print nothing.
"""

import json

import numpy as np

import minigrad as mg
from minigrad import distributed as dist
from minigrad import nn, optim
from minigrad.data import DataLoader
from minigrad.nn import losses
from minigrad.train import fit

comm = dist.init()
rank, world = dist.rank(), dist.world_size()
rng = np.random.default_rng(0)
X, y = rng.normal(size=(24, 5)), rng.integers(0, 3, 24)
B = 8  # the global batch


def fresh(seed=1):
    mg.manual_seed(seed)
    return nn.MLP([5, 7, 3]).double()


def flat(model):
    return np.concatenate([p.numpy().ravel() for p in model.parameters()])


def loop(model, batch_size, shard=None):
    opt = optim.Adam(model.parameters(), lr=0.05)
    for epoch in range(2):
        for xb, yb in DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=epoch, shard=shard):
            loss = losses.cross_entropy(model(xb.double()), yb)
            opt.zero_grad()
            loss.backward()  # the gradients are averaged here, with no extra call
            opt.step()
    return model


out = {"world": world}
# every copy starts from rank 0's weights, whatever each process initialized
ddp = dist.DistributedDataParallel(fresh(seed=100 + rank))
start = comm.allgather(flat(ddp.module))
out["start_spread"] = float(max(np.abs(s - start[0]).max() for s in start))
out["start_is_rank0"] = bool(np.array_equal(start[0], flat(fresh(seed=100))))

# the training loop: N processes on B/N samples each vs one process on B
ddp = dist.DistributedDataParallel(fresh())
loop(ddp, B // world, shard=ddp.shard)
final = comm.allgather(flat(ddp.module))
out["end_spread"] = float(max(np.abs(f - final[0]).max() for f in final))
out["loop_diff"] = float(np.abs(final[0] - flat(loop(fresh(), B))).max())
out["comm_bytes"] = ddp.comm_bytes

# fit on the wrapped model: batch_size per process
ddp = dist.DistributedDataParallel(fresh())
h = fit(ddp, "cross_entropy", optim.SGD(ddp.parameters(), lr=0.1), (X, y), epochs=2, batch_size=B // world,
        progress=False, seed=3, metrics=["accuracy"])
single = fresh()
h1 = fit(single, "cross_entropy", optim.SGD(single.parameters(), lr=0.1), (X, y), epochs=2, batch_size=B,
         progress=False, seed=3, metrics=["accuracy"])
out["fit_diff"] = float(np.abs(flat(ddp.module) - flat(single)).max())
out["fit_loss_diff"] = float(abs(h.history["loss"][-1] - h1.history["loss"][-1]))
out["fit_accuracy_diff"] = float(abs(h.history["accuracy"][-1] - h1.history["accuracy"][-1]))


# a parameter used on rank 0 only: its gradient is the mean of rank 0's and zeros
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(5, 3)
        self.b = nn.Linear(5, 3)

    def forward(self, x):
        return self.a(x) + self.b(x) if rank == 0 else self.a(x)


mg.manual_seed(2)
ddp = dist.DistributedDataParallel(Branchy().double())
losses.mse(ddp(mg.tensor(X[:4])), mg.tensor(np.ones((4, 3)))).backward()
mine = ddp.module.b.weight.grad.numpy()
grads = comm.allgather(mine)
mg.manual_seed(2)
alone = Branchy().double()
losses.mse(alone(mg.tensor(X[:4])), mg.tensor(np.ones((4, 3)))).backward()
out["unused_spread"] = float(np.abs(grads[0] - grads[-1]).max())
out["unused_diff"] = float(np.abs(grads[0] - alone.b.weight.grad.numpy() / world).max()) if rank == 0 else None

if rank == 0:
    print(json.dumps(out))
