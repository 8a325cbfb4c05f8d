import time
from typing import Optional

from pydantic import BaseModel, Field, PrivateAttr


class ProgressMixin(BaseModel):
    """Logs `done / total, rate, ETA` after each batch of a generation step.

    Steps run in worker processes, so progress is reported through distilabel's logger,
    which the pipeline prints in the main process.
    """

    expected_rows: Optional[int] = Field(
        default=None, description="How many rows this step should produce in all (for progress)."
    )
    _progress_done: int = PrivateAttr(default=0)
    _progress_start: Optional[float] = PrivateAttr(default=None)

    def _start_progress(self) -> None:
        """Call when a batch starts: the clock starts with the first batch."""
        if self._progress_start is None:
            self._progress_start = time.perf_counter()

    def _report_progress(self, n: int) -> None:
        """Call when a batch of `n` rows is done."""
        self._start_progress()
        self._progress_done += n
        elapsed = max(time.perf_counter() - self._progress_start, 1e-9)
        rate = self._progress_done / elapsed
        total = self.expected_rows
        if total:
            eta = max(total - self._progress_done, 0) / rate if rate > 0 else float("inf")
            self._logger.info(
                f"[{self.name}] {self._progress_done}/{total} examples "
                f"({100 * self._progress_done / total:.0f}%), {rate:.2f}/s, ETA {eta:.0f} s"
            )
        else:
            self._logger.info(f"[{self.name}] {self._progress_done} examples, {rate:.2f}/s")
