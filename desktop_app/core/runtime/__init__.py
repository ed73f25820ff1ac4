"""runtime layer of the Qt-free core."""
