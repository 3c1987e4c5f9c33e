"""Real names: resident ID numbers checked by the GB 11643 check digit, kept only as a keyed hash and a
masked form, and a pluggable verification step that marks an identity verified."""
