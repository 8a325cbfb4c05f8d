"""Retrieve: engines (bm25s, rank_bm25, dense, hybrid), passage selection and `RetrieveContext`."""
