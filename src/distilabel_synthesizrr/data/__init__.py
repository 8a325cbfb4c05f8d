"""Seeds, corpora and test sets: user files, Hugging Face datasets and the shipped real data."""

from distilabel_synthesizrr.data.shipped import load_shipped
from distilabel_synthesizrr.data.sources import DataSource, DataSpec, as_source, load_records, sample_per_label

__all__ = ["DataSource", "DataSpec", "as_source", "load_records", "load_shipped", "sample_per_label"]
