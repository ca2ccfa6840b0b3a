"""The storefront and the back office: pages over the JSON API."""
