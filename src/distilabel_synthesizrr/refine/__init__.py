"""Refine: answer cleaning, the copy rule, dedup, the label judge and `Refine`."""
