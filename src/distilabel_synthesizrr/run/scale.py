"""Scale-out on Ray, through distilabel's `RayPipeline`: the same steps, each one a Ray actor.

Locally (`RayOptions()`), a Ray cluster is started in this process and stopped at the end. On a
real cluster (`RayOptions(address="ray://head:10001")` or `"auto"` on a node of the cluster),
the package must be importable on every node: install it there, or let Ray ship it
(`runtime_env={"py_modules": [distilabel_synthesizrr]}`, the default for remote clusters).

The retrieval index is built once (keyed by a fingerprint of corpus and settings) and saved in
the cache folder; the `RetrieveContext` actor loads it memory-mapped, so replicas on one node
share one copy. Teachers are OpenAI-compatible endpoints (e.g. one vLLM server per GPU node
behind a load balancer); nothing LLM-specific runs inside the Ray actors but HTTP clients.
"""

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from distilabel_synthesizrr.errors import ConfigError


@dataclass
class RayOptions:
    """How to reach (or start) the Ray cluster.

    Attributes:
        address: `None` starts a local Ray cluster in this process; `"auto"` joins the cluster
            this machine belongs to; `"ray://host:10001"` connects to a remote head node.
        num_cpus: CPUs of a local cluster (default: all).
        runtime_env: Ray's runtime environment for the workers. Default for a remote cluster:
            ship this package (`py_modules`); locally the workers share this environment.
        init_kwargs: any other `ray.init` arguments.
    """

    address: Optional[str] = None
    num_cpus: Optional[int] = None
    runtime_env: Optional[Dict[str, Any]] = None
    init_kwargs: Dict[str, Any] = field(default_factory=dict)

    def ray_init_kwargs(self) -> Dict[str, Any]:
        kwargs: Dict[str, Any] = {"ignore_reinit_error": True, "include_dashboard": False, **self.init_kwargs}
        runtime_env = self.runtime_env
        if self.address is None:
            kwargs.setdefault("num_cpus", self.num_cpus or os.cpu_count() or 2)
            # Ray's socket paths must stay short: a temp folder under /tmp, not the (deep) cache.
            kwargs.setdefault("_temp_dir", tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
        else:
            kwargs["address"] = self.address
            if runtime_env is None:
                import distilabel_synthesizrr

                runtime_env = {"py_modules": [distilabel_synthesizrr]}
        if runtime_env is not None:
            kwargs["runtime_env"] = runtime_env
        return kwargs


def require_ray() -> None:
    try:
        import ray  # noqa: F401
    except ImportError:
        raise ConfigError(
            "Ray is not installed: pip install 'distilabel-synthesizrr[ray]' (distilabel[ray]), or run without --ray."
        ) from None


def init_ray(options: RayOptions) -> bool:
    """Starts or joins the cluster; returns whether this call started it (then `shutdown_ray`)."""
    require_ray()
    import ray

    if ray.is_initialized():
        return False
    kwargs = options.ray_init_kwargs()
    _started_temp_dirs.append(kwargs.get("_temp_dir"))
    ray.init(**kwargs)
    return True


_started_temp_dirs: List[Optional[str]] = []


def shutdown_ray() -> None:
    """Stops the Ray cluster `init_ray` started, and removes its temporary folder."""
    import ray

    if ray.is_initialized():
        ray.shutdown()
    while _started_temp_dirs:
        folder = _started_temp_dirs.pop()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
