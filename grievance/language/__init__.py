"""Language rules: detection, normalization, worker-facing texts."""
