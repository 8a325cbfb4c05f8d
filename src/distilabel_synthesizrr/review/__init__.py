"""Review in Argilla: push a run, pull the reviewed labels back, and the `SynthesizedToArgilla` step."""
