"""tasks layer of the Qt-free core."""
