"""Video: frame access, masks and tracking (masks and tracking come with the visual issue)."""
