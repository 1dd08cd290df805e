"""The people and places: the synthetic population, provinces and wards, and the support
point's visit log."""
