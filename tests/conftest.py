"""Session-wide: no process a test leaves behind outlives the test run.

pytest becomes a child subreaper, so orphaned descendants (a grading pool's worker blocked on
a queue its dead sibling held, a student's `setsid` grandchild) are re-parented to it; at the
end of the session every child still there is killed and reaped, so that nothing keeps CI's
output pipe open after the last test.
"""

from __future__ import annotations

from classroom.grade import leftovers


def pytest_sessionstart(session):
    leftovers.become_subreaper()
    session.config._children_before = leftovers.children()  # noqa: SLF001


def pytest_sessionfinish(session, exitstatus):
    left = leftovers.end_new_children(session.config._children_before)  # noqa: SLF001
    if left:
        print(f"\nconftest: ended {left} process(es) the tests left behind")
