"""Every prompt the package sends to a teacher is built here, from a preset's templates.

Prompts are chat conversations. In-context demonstrations are earlier user/assistant turns
(a passage and the instruction, then the answer written after the output prefix), so a chat
model sees exactly the format it is asked to continue.
"""

import re
from typing import List, Optional, Sequence, Set, Tuple

from pydantic import BaseModel, ConfigDict

from distilabel_synthesizrr.task import TaskSpec

ChatType = List[dict]


class Demonstration(BaseModel):
    """An in-context example: a real seed text and, for RetrICL, the passage it retrieved."""

    model_config = ConfigDict(extra="forbid")

    label: str
    text: str
    context: Optional[str] = None


def fill(template: str, task: TaskSpec, label: str) -> str:
    """Fills `{verbalization}`, `{label}` and `{refusal}` by plain substitution."""
    return (
        template.replace("{verbalization}", task.verbalize(label))
        .replace("{label}", label)
        .replace("{refusal}", task.prompts.refusal)
    )


def inversion_request(task: TaskSpec, label: str, passage: str) -> str:
    """The user turn of task inversion: header, passage, instruction."""
    p = task.prompts
    return f"{p.context_header}\n{passage.strip()}\n\n{fill(p.instruction, task, label)}"


def fewgen_request(task: TaskSpec, label: str) -> str:
    """The user turn of FewGen: the instruction alone."""
    return fill(task.prompts.fewgen_instruction, task, label)


def answer(task: TaskSpec, text: str, label: Optional[str] = None) -> str:
    """An assistant turn: the (label's) output prefix, then the example text."""
    return f"{task.answer_prefix(label)} {text.strip()}"


def _system(task: TaskSpec) -> ChatType:
    return [{"role": "system", "content": task.prompts.system}] if task.prompts.system else []


def synthesizrr_messages(
    task: TaskSpec, label: str, passage: str, demonstrations: Sequence[Demonstration] = ()
) -> ChatType:
    """Task inversion of `passage` into an example of `label`.

    Demonstrations with a `context` are shown as (passage -> example) turns (RetrICL);
    without one, as (instruction -> example) turns (seed-only k-shot).
    """
    messages = _system(task)
    for demo in demonstrations:
        request = inversion_request(task, demo.label, demo.context) if demo.context else fewgen_request(task, demo.label)
        messages += [{"role": "user", "content": request},
                     {"role": "assistant", "content": answer(task, demo.text, demo.label)}]
    messages.append({"role": "user", "content": inversion_request(task, label, passage)})
    return messages


def fewgen_messages(task: TaskSpec, label: str, demonstrations: Sequence[Demonstration] = ()) -> ChatType:
    """FewGen: the instruction, after 0 or k same-label seed examples."""
    messages = _system(task)
    for demo in demonstrations:
        messages += [{"role": "user", "content": fewgen_request(task, demo.label)},
                     {"role": "assistant", "content": answer(task, demo.text, demo.label)}]
    messages.append({"role": "user", "content": fewgen_request(task, label)})
    return messages


#: Words of a template, as both raw and normalised (lower-cased, no punctuation) text split them.
_TOKEN = re.compile(r"[^\W_]+")
_ECHO_WORDS = 5


def _echo_grams(task: TaskSpec) -> Set[Tuple[str, ...]]:
    grams: Set[Tuple[str, ...]] = set()
    p = task.prompts
    for template in (p.instruction, p.fewgen_instruction, p.system or ""):
        for segment in re.split(r"\{[a-z]+\}", template):
            tokens = [t.lower() for t in _TOKEN.findall(segment)]
            grams.update(zip(*(tokens[i:] for i in range(_ECHO_WORDS))))
    return grams


def cut_instruction_echo(text: str, task: TaskSpec) -> str:
    """Cuts `text` where the teacher starts repeating its instructions (five words in a row
    from the instruction or system templates, e.g. "rewrite the article above as a short...").

    Small teachers often continue their answer with the prompt's wording, which would leak
    the label's description into the example.
    """
    grams = _echo_grams(task)
    matches = list(_TOKEN.finditer(text))
    tokens = [m.group().lower() for m in matches]
    for i in range(len(tokens) - _ECHO_WORDS + 1):
        if tuple(tokens[i : i + _ECHO_WORDS]) in grams:
            return text[: matches[i].start()].strip()
    return text


def parse_answer(raw: Optional[str], task: TaskSpec) -> Optional[str]:
    """Extracts the example from a teacher's answer; None when there is no text at all.

    Cuts everything before the output prefix, everything from a line where the model starts
    a new turn of its own (the context header, the prefix again, an instruction), and
    everything from where it repeats its instructions (`cut_instruction_echo`).
    A refusal is returned as it is: `Refine` recognises and drops it.
    """
    if raw is None:
        return None
    text = raw.replace("\r", "").strip()
    prefixes = "|".join(re.escape(p.strip()) for p in task.answer_prefixes if p.strip())
    if prefixes:
        found = re.search(prefixes, text, flags=re.IGNORECASE)
        if found:
            text = text[found.end():]
        stop = re.search(r"(?im)^\s*(" + prefixes + "|" + re.escape(task.prompts.context_header.strip()) + ")", text)
        if stop and stop.start() > 0:
            text = text[: stop.start()]
    text = cut_instruction_echo(text.strip(), task)
    return text or None
