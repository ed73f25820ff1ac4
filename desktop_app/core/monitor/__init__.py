"""monitor layer of the Qt-free core."""
