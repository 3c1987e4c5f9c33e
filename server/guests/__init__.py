"""A third participant in a call: the patient invites a family member or an interpreter by a link
(with the patient's `family_access` consent); both sides see who joined."""
