"""core of the campaigns provider."""
