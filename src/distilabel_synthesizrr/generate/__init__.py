"""Generate: prompts, demonstrations, teachers and the generation steps (task inversion, FewGen, extractive)."""
