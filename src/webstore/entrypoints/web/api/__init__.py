"""The JSON API's blueprints, and what they share: serializers, uploads, picture URLs."""
