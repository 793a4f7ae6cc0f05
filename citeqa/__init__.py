"""citeqa command line."""
