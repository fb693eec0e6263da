"""Teaching at class scale: grading a whole class (:mod:`classroom.grade`)."""
