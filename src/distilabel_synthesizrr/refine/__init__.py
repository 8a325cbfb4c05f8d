"""Refine: answer cleaning, the copy rule, dedup, the label judge, `Refine` and dataset cartography (`Cartography`)."""
