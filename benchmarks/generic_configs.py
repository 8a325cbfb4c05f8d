"""Writes, for each shipped preset, the config a user would get from `synthesizrr init` on the
preset's own data: generic prompts, lengths derived from the data, generic run settings and the
label check as init's preview decides it (`scaffold.choose_label_check`). Only
the verbalizations are the preset's (init asks the user to write them), phrased to complete
"a new, short text ...". These configs are the "generic" rows of docs/benchmarks.md.

    python benchmarks/generic_configs.py --output experiments/generic
    python benchmarks/generic_configs.py --output benchmarks/claims --prefix generic_ --threads 2   (the claims queue's)
    synthesizrr experiment experiments/generic/reuters_topics.yaml --teacher local ...
"""

import argparse
from pathlib import Path

import yaml

from distilabel_synthesizrr.presets import available_presets, load_preset
from distilabel_synthesizrr.run.scaffold import choose_label_check, write_config


def _phrase(verbalization: str) -> str:
    first = verbalization.split()[0].lower()
    return verbalization if first in ("about", "that", "which", "on", "from", "in", "with") else f"that is {verbalization}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="experiments/generic", help="folder for the configs")
    parser.add_argument("--prefix", default="", help="file name prefix (benchmarks/claims: generic_)")
    parser.add_argument("--threads", type=int, help="teacher.threads (the claims tables: 2, both cores generate)")
    args = parser.parse_args()
    out = Path(args.output)
    for name in available_presets():
        preset = load_preset(name)
        corpus = [c.path for c in preset.data.corpus]
        path = write_config(preset.data.seeds.path, corpus, out / f"{args.prefix}{name}.yaml", test=preset.data.test.path,
                            name=f"{name}_generic", force=True, echo=print)
        choose_label_check(path)
        raw = yaml.safe_load(path.read_text())
        raw["task"]["labels"] = {label: _phrase(v) for label, v in preset.task.labels.items()}
        raw["task"]["description"] = preset.task.description
        if args.threads:
            raw.setdefault("teacher", {})["threads"] = args.threads
        path.write_text(f"# init's generic config on {name}'s data (written by benchmarks/generic_configs.py).\n"
                        + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
        print(f"{path}: labels {raw['task']['labels']}, label check {raw['retrieval']['label_check']}")


if __name__ == "__main__":
    main()
