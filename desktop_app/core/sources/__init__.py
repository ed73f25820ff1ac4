"""sources layer of the Qt-free core."""
