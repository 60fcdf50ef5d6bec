"""triggers of the campaigns provider."""
