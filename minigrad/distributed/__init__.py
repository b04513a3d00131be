"""Data-parallel training over MPI: the same model on N processes, each on its share of the batch.

Synchronous data parallelism (Dean et al. 2012, "Large scale distributed deep
networks"; Goyal et al. 2017, "Accurate, large minibatch SGD"; Li et al. 2020,
"PyTorch Distributed"): N processes hold identical copies of the model. Each step,
every process computes the gradient of the loss on its own slice of the global
batch, the gradients are **averaged across processes by an all-reduce**, and every
process applies the same optimizer step -- so the copies stay identical. Because the
mean of N equal-sized slice means is the mean of the whole batch,

    ḡ = (1/N) Σ_r (1/m) Σ_{i ∈ B_r} ∇ℓ_i = (1/(N·m)) Σ_{i ∈ B} ∇ℓ_i,

N processes on slices of m samples take exactly the step one process takes on the
global batch of N·m samples (up to the order of floating-point sums)::

    # train.py, launched as: mpiexec -n 4 python train.py
    import minigrad as mg
    from minigrad import distributed as dist, nn, optim
    from minigrad.data import DataLoader, load_digits

    dist.init()
    X, y = load_digits()
    mg.manual_seed(0)
    ddp = dist.DistributedDataParallel(nn.MLP([64, 32, 10]))   # rank 0's weights everywhere
    opt = optim.Adam(ddp.parameters(), lr=1e-3)
    loader = DataLoader(X, y, batch_size=32, shuffle=True, seed=0, shard=(dist.rank(), dist.world_size()))
    for xb, yb in loader:
        loss = nn.losses.cross_entropy(ddp(xb), yb)
        opt.zero_grad()
        loss.backward()          # gradients are averaged here, no extra call
        opt.step()

``minigrad.train.fit`` accepts the wrapped model directly (it shards the data,
averages the logged loss, and only rank 0 prints); ``mpiexec -n N minigrad train
DATASET --distributed`` is the command-line version. Needs the ``mpi4py`` package:
``pip install minigrad[distributed]``.
"""

from minigrad.distributed.comm import init, is_initialized, is_main_process, rank, world_size
from minigrad.distributed.ddp import DistributedDataParallel

__all__ = ["init", "is_initialized", "is_main_process", "rank", "world_size", "DistributedDataParallel"]
