"""Writes a copy of each config with `refine.cartography` turned on, for the with/without rows of
docs/benchmarks.md. Only the refine section changes, so `synthesizrr experiment` on the copy
re-refines the generations of the original's runs (kept in the checkpoints) instead of
generating again.

    python benchmarks/with_cartography.py examples/quote_topics.yaml --keep 0.83 --output experiments/cart
"""

import argparse
from pathlib import Path

import yaml

from distilabel_synthesizrr.presets import resolve_data_paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--keep", type=float, default=0.83, help="share of each label's rows kept (the paper's 0.83)")
    parser.add_argument("--by", default="confidence", choices=["confidence", "correctness"])
    parser.add_argument("--output", type=Path, default=Path("experiments/cart"))
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    for path in args.configs:
        raw = yaml.safe_load(path.read_text())
        resolve_data_paths(raw, path.resolve().parent)  # the copy lives in another folder
        raw.setdefault("refine", {})["cartography"] = {"keep": args.keep, "by": args.by}
        out = args.output / path.name
        out.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
        print(out)


if __name__ == "__main__":
    main()
