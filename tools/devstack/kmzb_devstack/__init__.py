"""Development tooling: the local stack of `make run`, and what the tests and benches start and wait with.

A dev dependency of the workspace only: no service image contains it.
"""

from .broker import S3_ENV, start_s3, start_tansu, tansu_binary
from .polling import free_port, port_open, wait_until
from .processes import ManagedProcess, is_ready, spawn, start_process, stop_all
from .stack import SERVICES, dev_token, restart_service, service_env, stack_links, start_service, start_stack

__all__ = [
    "S3_ENV",
    "SERVICES",
    "ManagedProcess",
    "dev_token",
    "free_port",
    "is_ready",
    "port_open",
    "restart_service",
    "service_env",
    "spawn",
    "stack_links",
    "start_process",
    "start_s3",
    "start_service",
    "start_stack",
    "start_tansu",
    "stop_all",
    "tansu_binary",
    "wait_until",
]
