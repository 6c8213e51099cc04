"""Array back ends for the agent step: the array API namespace, and what the standard lacks
or a library does not follow (bincount, repeat by device counts, moving host arrays onto
the device).

`namespace("cpu")` is NumPy through `array_api_compat`; `namespace("gpu")` is CuPy when it
is installed, else PyTorch on CUDA. Random numbers are drawn on the host with NumPy (one
seeded generator, so every back end sees the same draws) and copied to the device once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Backend:
    """An array namespace and its device."""

    xp: Any
    device: Any
    name: str

    def asarray(self, a: np.ndarray, dtype: Any = None) -> Any:
        return self.xp.asarray(a, dtype=dtype, device=self.device)

    def to_numpy(self, a: Any) -> np.ndarray:
        if self.name == "numpy":
            return np.asarray(a)
        if self.name == "cupy":
            return a.get()
        return a.detach().cpu().numpy()

    def bincount(self, index: Any, weights: Any, length: int) -> Any:
        """Sum of ``weights`` per value of ``index`` (0 <= index < length); the count when
        ``weights`` is None."""
        if self.name == "numpy":
            return np.bincount(index, weights=weights, minlength=length)
        if self.name == "cupy":
            import cupy

            return cupy.bincount(index, weights=weights, minlength=length)
        import torch

        return torch.bincount(index, weights=weights, minlength=length)

    def repeat(self, values: Any, counts: Any) -> Any:
        """Each of ``values`` repeated its ``counts`` times (CuPy's repeat takes the counts
        only from the host, so there each output finds its value by a search)."""
        if self.name != "cupy":
            return self.xp.repeat(values, counts)
        import cupy

        starts = cupy.cumsum(counts) - counts
        total = int(cupy.sum(counts))
        return values[cupy.searchsorted(starts, cupy.arange(total), side="right") - 1]


def namespace(device: str = "cpu") -> Backend:
    """The back end for ``device``: "cpu" (NumPy) or "gpu" (CuPy, else PyTorch on CUDA)."""
    import array_api_compat

    if device == "cpu":
        return Backend(array_api_compat.array_namespace(np.zeros(1)), "cpu", "numpy")
    if device != "gpu":
        raise ValueError(f"device must be 'cpu' or 'gpu', not {device!r}")
    try:
        import cupy

        return Backend(array_api_compat.array_namespace(cupy.zeros(1)),
                       cupy.cuda.Device(0), "cupy")
    except ImportError:
        import torch

        if not torch.cuda.is_available():
            raise RuntimeError("device 'gpu' needs CuPy or PyTorch with CUDA") from None
        return Backend(array_api_compat.array_namespace(torch.zeros(1)),
                       torch.device("cuda"), "torch")
