from typing import Any, Callable, List, Optional, Sequence, Tuple

__version__: str

class _Task:
    def cancel(self) -> None: ...
    def done(self) -> bool: ...

class _Pager:
    def next_page(self) -> Optional[List[Any]]: ...
    def next_page_async(self, done: Callable[[bool, Any], Any]) -> _Task: ...

class _Client:
    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        org_id: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        initial_backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        wait: Optional[bool] = None,
        wait_timeout: Optional[float] = None,
        wait_initial_interval: Optional[float] = None,
        wait_max_interval: Optional[float] = None,
        max_response_bytes: Optional[int] = None,
        pool_idle_timeout: Optional[float] = None,
    ) -> None: ...
    def call(
        self,
        op_id: str,
        path: Sequence[str],
        query: Sequence[Tuple[str, str]],
        body: Any = None,
        wait: Optional[bool] = None,
    ) -> Any: ...
    def submit(
        self,
        op_id: str,
        path: Sequence[str],
        query: Sequence[Tuple[str, str]],
        body: Any,
        wait: Optional[bool],
        done: Callable[[bool, Any], Any],
    ) -> _Task: ...
    def pager(self, op_id: str, path: Sequence[str], query: Sequence[Tuple[str, str]]) -> _Pager: ...
    def wait_for_operations(self, project_id: str, ids: Sequence[str]) -> List[Any]: ...
    def wait_for_operations_async(
        self, project_id: str, ids: Sequence[str], done: Callable[[bool, Any], Any]
    ) -> _Task: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def base_url(self) -> str: ...

class _Emulator:
    def __init__(
        self,
        *,
        operation_duration: float = 0.02,
        locking: bool = True,
        rate_limits: bool = False,
        latency: float = 0.0,
        seed: Optional[int] = None,
        api_key: Optional[str] = None,
        port: int = 0,
        idle_timeout: Optional[float] = None,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def port(self) -> int: ...
    def add_fault(self, fault_json: str) -> None: ...
    def clear_faults(self) -> None: ...
    def request_count(self, operation_id: str) -> int: ...
    def reset(self) -> None: ...
    def stop(self) -> None: ...

def _shutdown() -> None: ...
def _operation_ids() -> List[str]: ...
def _parse_json(data: bytes) -> Any: ...
def _panic_for_test(done: Optional[Callable[[bool, Any], Any]] = None) -> Any: ...
