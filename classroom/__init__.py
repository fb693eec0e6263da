"""Teaching at class scale: per-student exercises with their solutions (:mod:`classroom.exercise`)."""
