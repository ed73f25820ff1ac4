"""media layer of the Qt-free core."""
