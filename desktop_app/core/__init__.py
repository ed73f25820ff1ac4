"""Qt-free core: models, runtime, media, sources, tasks, monitor and the pipeline."""
