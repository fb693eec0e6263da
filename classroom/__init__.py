"""Teaching at class scale: per-student exercises with their solutions (:mod:`classroom.exercise`)
and grading a whole class (:mod:`classroom.grade`)."""
