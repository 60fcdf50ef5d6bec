"""hooks of the campaigns provider."""
