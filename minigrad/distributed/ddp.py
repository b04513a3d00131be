"""``DistributedDataParallel``: one model copy per process, gradients averaged by all-reduce.

How it keeps N copies identical (the design of PyTorch's DDP; Li et al. 2020,
"PyTorch Distributed: Experiences on Accelerating Data Parallel Training"):

1. **Same start.** At construction, every parameter and buffer is broadcast from
   rank 0, so all copies begin from rank 0's initialization.
2. **Buckets.** The parameters are grouped, last layer first (the order backprop
   finishes them), into buckets of about ``bucket_mb`` megabytes: one all-reduce
   per bucket instead of one per tensor, since each message has a fixed latency
   on top of its transfer time.
3. **Hooks.** A post-accumulate hook on each parameter marks it ready when
   ``loss.backward()`` has stored its gradient; when the next bucket in order is
   complete it is all-reduced (summed across processes) and divided by N. A
   callback at the end of the backward pass flushes any bucket still incomplete
   (a parameter that got no gradient counts as zero), always in the same order
   on every process, as MPI requires. No extra call is needed after backward.

**Cost.** A ring all-reduce of S bytes sends and receives 2(N − 1)/N · S bytes per
process (Patarasuk & Yuan 2009, "Bandwidth optimal all-reduce algorithms"): about
twice the model's gradient size per step, almost independent of N. ``comm_seconds``
and ``comm_bytes`` count what this wrapper spent.

Layers that compute statistics over the batch (BatchNorm) see only the local
slice, and random layers (Dropout) draw their masks per process: with those, N
processes are close to, not equal to, one process on the global batch.
"""

from __future__ import annotations

import time

import numpy as np

from minigrad.autograd.engine import queue_callback
from minigrad.distributed.comm import _mpi, communicator
from minigrad.nn.module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training; ``ddp(x)`` runs ``module(x)``.

    ``bucket_mb`` is the all-reduce bucket size in megabytes; ``comm`` an mpi4py
    communicator (default: the job's, see :func:`minigrad.distributed.init`).
    ``ddp.module`` is the wrapped model (save its ``state_dict``); ``ddp.shard`` is
    ``(rank, world_size)`` for :class:`minigrad.data.DataLoader`; ``ddp.seed`` is
    a seed drawn on rank 0 and shared, for shuffling the same way everywhere.
    """

    def __init__(self, module, bucket_mb=1.0, comm=None):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got {type(module).__name__}")
        if not (isinstance(bucket_mb, (int, float)) and not isinstance(bucket_mb, bool) and bucket_mb > 0):
            raise ValueError(f"DistributedDataParallel: bucket_mb must be a positive number, got {bucket_mb!r}")
        self.module = module
        comm = comm if comm is not None else communicator()
        object.__setattr__(self, "comm", comm)
        object.__setattr__(self, "_MPI", _mpi())
        object.__setattr__(self, "rank", comm.Get_rank())
        object.__setattr__(self, "world_size", comm.Get_size())
        object.__setattr__(self, "comm_seconds", 0.0)
        object.__setattr__(self, "comm_bytes", 0)
        state = list(module.parameters()) + list(module.buffers())
        for t in state:
            if t.device != "cpu":
                raise ValueError(f"DistributedDataParallel: MPI works on CPU arrays, got a tensor on {t.device}")
        if self.world_size > 1:
            for t in state:  # every copy starts from rank 0's values
                data = np.ascontiguousarray(t.data)
                comm.Bcast(data, root=0)
                t.data = data
        seed = int(np.random.default_rng().integers(2**31)) if self.rank == 0 else None
        object.__setattr__(self, "seed", comm.bcast(seed, root=0))
        params = [p for p in module.parameters() if p.requires_grad]
        object.__setattr__(self, "buckets", _buckets(params[::-1], int(bucket_mb * 2**20)))
        object.__setattr__(self, "_pass", None)  # the backward pass in progress: (ready ids, next bucket)
        object.__setattr__(self, "_handles", [p.register_post_accumulate_grad_hook(self._grad_ready)
                                              for p in params])

    @property
    def shard(self):
        """``(rank, world_size)``, for ``DataLoader(..., shard=ddp.shard)``."""
        return self.rank, self.world_size

    @property
    def is_main_process(self):
        return self.rank == 0

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    # ------------------------------------------------------------------ gradient averaging
    def _grad_ready(self, param):
        if self.world_size == 1:
            return
        if self._pass is None:
            object.__setattr__(self, "_pass", [set(), 0])
            queue_callback(self._finish_pass)
        self._pass[0].add(id(param))
        self._launch(self._pass[0])

    def _launch(self, ready=None):
        """All-reduce the buckets from the next one on: those whose parameters are all in
        ``ready``, or (None) all the rest. Strictly in order, so every process issues the
        same sequence of all-reduces."""
        while self._pass[1] < len(self.buckets) and (
                ready is None or all(id(p) in ready for p in self.buckets[self._pass[1]])):
            self._all_reduce(self.buckets[self._pass[1]])
            self._pass[1] += 1

    def _finish_pass(self):
        try:
            self._launch()
        finally:
            object.__setattr__(self, "_pass", None)

    def _all_reduce(self, bucket):
        """Replace each gradient of ``bucket`` by its mean over the processes (one message)."""
        from minigrad.tensor import Tensor

        for p in bucket:  # a parameter with no gradient this pass contributes zero
            if p.grad is None:
                p.grad = Tensor(np.zeros_like(p.data), dtype=p.data.dtype)
        flat = np.concatenate([p.grad.data.ravel() for p in bucket])
        start = time.perf_counter()
        self.comm.Allreduce(self._MPI.IN_PLACE, flat, op=self._MPI.SUM)
        object.__setattr__(self, "comm_seconds", self.comm_seconds + time.perf_counter() - start)
        object.__setattr__(self, "comm_bytes", self.comm_bytes + flat.nbytes)
        flat /= self.world_size
        offset = 0
        for p in bucket:
            n = p.grad.data.size
            p.grad.data[...] = flat[offset:offset + n].reshape(p.grad.data.shape)
            offset += n

    # ------------------------------------------------------------------ collectives for fit
    def all_reduce_sum(self, values):
        """The elementwise sum of a float array over the processes (a copy)."""
        values = np.array(values, dtype=np.float64)
        if self.world_size > 1:
            self.comm.Allreduce(self._MPI.IN_PLACE, values, op=self._MPI.SUM)
        return values

    def all_gather(self, array):
        """The arrays of every process, concatenated along axis 0 in rank order."""
        if self.world_size == 1:
            return array
        return np.concatenate(self.comm.allgather(array), axis=0)

    def extra_repr(self):
        return f"rank={self.rank}, world_size={self.world_size}, buckets={len(self.buckets)}"


def _buckets(params, cap_bytes):
    """Consecutive groups of ``params`` of one dtype and at most ``cap_bytes`` (a larger tensor alone)."""
    buckets, current, size = [], [], 0
    for p in params:
        nbytes = p.data.nbytes
        if current and (size + nbytes > cap_bytes or p.data.dtype != current[0].data.dtype):
            buckets.append(current)
            current, size = [], 0
        current.append(p)
        size += nbytes
    if current:
        buckets.append(current)
    return buckets
