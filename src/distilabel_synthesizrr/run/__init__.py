"""Run: the config, the plan (data loaded once), the distilabel pipeline, its execution and the run folder."""
