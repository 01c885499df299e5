"""Use cases: the only code that changes complaints, through `lifecycle.act_on_complaint` /
`apply_action` for every action. No request objects in here; who may see or do what is asked of
`complaints.participants`."""
