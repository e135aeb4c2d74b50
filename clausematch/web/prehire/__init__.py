"""Events and pre-hire steps pages."""
