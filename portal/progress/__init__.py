"""Progress (voortgang): the legal record of progress meetings, self-assessments, follow-ups and the final report."""
