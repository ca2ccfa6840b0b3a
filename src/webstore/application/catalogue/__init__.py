"""Use cases of the catalogue: products, product files and imports, pictures."""
