"""models layer of the Qt-free core."""
