"""The exceptions this package raises. Each message says what is wrong and how to fix it."""


class SynthesizRRError(Exception):
    """Base class of every error raised by distilabel-synthesizrr."""


class ConfigError(SynthesizRRError, ValueError):
    """A run configuration or task preset is invalid."""


class DataError(SynthesizRRError, ValueError):
    """Seeds, corpus or test data are missing, empty or cannot be parsed."""


class TeacherError(SynthesizRRError, RuntimeError):
    """The teacher LLM cannot be reached or does not serve the model asked for."""


class Interrupted(SynthesizRRError, KeyboardInterrupt):
    """A run was stopped by Ctrl-C or SIGTERM; what it generated is kept for the next run."""
