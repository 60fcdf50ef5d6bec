"""operators of the campaigns provider."""
