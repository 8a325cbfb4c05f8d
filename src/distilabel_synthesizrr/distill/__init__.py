"""Distil a synthetic dataset into a SetFit student and score it on real data."""
