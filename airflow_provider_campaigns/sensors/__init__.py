"""sensors of the campaigns provider."""
