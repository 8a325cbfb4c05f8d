import hashlib
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from pydantic import BaseModel, Field, PrivateAttr


def stop_marker_of(checkpoint: str) -> Path:
    """The file whose presence asks the generation step writing `checkpoint` to stop."""
    return Path(f"{checkpoint}.stop")


class CheckpointMixin(BaseModel):
    """Appends each generated row to a JSONL checkpoint as soon as its batch is done, and
    serves rows already there instead of asking the teacher again.

    An interrupted run (Ctrl-C, SIGKILL, a crash) re-run with the same checkpoint generates
    only the rows that are missing or failed, and never a row twice. The file is flushed and
    fsynced per batch; a torn last line is ignored.
    """

    checkpoint_path: Optional[str] = Field(default=None, description="JSONL file of finished rows (None: off).")
    _done: Dict[str, Dict[str, Any]] = PrivateAttr(default_factory=dict)

    @property
    def stop_marker(self) -> Optional[Path]:
        """A file whose presence asks the step to stop generating (see `stop_requested`)."""
        return stop_marker_of(self.checkpoint_path) if self.checkpoint_path else None

    def stop_requested(self) -> bool:
        """Whether the run was interrupted: Ctrl-C reached this worker (distilabel's worker
        handler sets an environment variable), or the main process, stopped by a signal, left
        the stop marker. distilabel's graceful stop still hands a step every batch queued
        before the stop; those are passed on unanswered instead of being generated."""
        from distilabel.constants import SIGINT_HANDLER_CALLED_ENV_NAME

        marker = self.stop_marker
        return os.environ.get(SIGINT_HANDLER_CALLED_ENV_NAME) == "1" or (marker is not None and marker.exists())

    def _load_checkpoint(self) -> None:
        self._done = {}
        if not self.checkpoint_path or not Path(self.checkpoint_path).is_file():
            return
        with open(self.checkpoint_path, encoding="utf-8") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line torn by a kill mid-write
                self._done[entry["key"]] = entry["output"]

    def _row_key(self, row: Dict[str, Any]) -> str:
        keys = sorted(set(self.get_inputs()) | {"seed_id", "passage_id", "request_id"})
        payload = json.dumps({k: row.get(k) for k in keys}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def _save_checkpoint(self, rows: Iterable[Dict[str, Any]], inputs: List[Dict[str, Any]]) -> None:
        if not self.checkpoint_path:
            return
        lines = []
        for row, input in zip(rows, inputs):
            if row.get("text") is None:
                continue  # failed: generated again next time
            output = {k: v for k, v in row.items() if k not in input}
            key = self._row_key(input)
            self._done[key] = output
            lines.append(json.dumps({"key": key, "output": output}, ensure_ascii=False, default=str))
        if not lines:
            return
        Path(self.checkpoint_path).parent.mkdir(parents=True, exist_ok=True)
        with open(self.checkpoint_path, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def _generate_with_checkpoint(self, inputs: List[Dict[str, Any]], generate) -> List[Dict[str, Any]]:
        """Rows from the checkpoint where there, from `generate(todo_inputs)` otherwise."""
        outputs: List[Optional[Dict[str, Any]]] = [None] * len(inputs)
        todo = []
        for i, row in enumerate(inputs):
            done = self._done.get(self._row_key(row))
            if done is not None:
                outputs[i] = {**row, **done}
            else:
                todo.append(i)
        if todo:
            todo_inputs = [inputs[i] for i in todo]
            generated = generate(todo_inputs)
            self._save_checkpoint(generated, todo_inputs)
            for i, row in zip(todo, generated):
                outputs[i] = row
        return outputs  # type: ignore[return-value]
