"""The MPI communicator behind :mod:`minigrad.distributed` (mpi4py, imported only when asked).

MPI (the Message Passing Interface standard; Gropp, Lusk & Skjellum, "Using MPI")
starts N copies of one program -- ``mpiexec -n N python train.py`` -- and numbers
them 0 … N−1 (the *rank*). Rank 0 is the main process by convention: it prints and
writes files, so N processes do not print N progress bars or race to write one
checkpoint.
"""

from __future__ import annotations

__all__ = ["init", "rank", "world_size", "is_initialized", "is_main_process", "communicator", "INSTALL_HINT"]

INSTALL_HINT = "pip install minigrad[distributed]"
_comm = None


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError:
        raise RuntimeError(
            f"minigrad.distributed needs mpi4py (and an MPI library), which is not installed: {INSTALL_HINT}"
        ) from None
    return MPI


def init(comm=None):
    """Join the MPI job (``MPI.COMM_WORLD``, or ``comm``); returns the communicator.

    Run without ``mpiexec`` the job has one process (rank 0 of 1), so the same
    script also runs alone. Calling it again returns the same communicator.
    """
    global _comm
    if comm is not None:
        _comm = comm
    elif _comm is None:
        _comm = _mpi().COMM_WORLD
    return _comm


def communicator():
    """The communicator, joining the job first if needed."""
    return _comm if _comm is not None else init()


def is_initialized():
    """Whether :func:`init` has run in this process."""
    return _comm is not None


def rank():
    """This process's number, 0 … world_size − 1 (joins the job if needed)."""
    return communicator().Get_rank()


def world_size():
    """The number of processes N in the job (joins the job if needed)."""
    return communicator().Get_size()


def is_main_process():
    """True on rank 0, and in a process that never joined a job."""
    return _comm is None or _comm.Get_rank() == 0
