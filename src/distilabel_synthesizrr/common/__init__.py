"""Shared foundations that know nothing of the pipeline: paths, packages, text, embeddings, the seed classifier."""
