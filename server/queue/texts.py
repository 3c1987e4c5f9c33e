"""Texts of the waiting list: (zh, en) per key."""

TEXTS: dict[str, tuple[str, str]] = {  # key: (zh, en)
    "why_here": ("{level}级，目标{target}分钟内接诊；按应接诊时间排序",
                 "Level {level}, to be seen within {target} min; ordered by when each patient is due"),
    "why_here_overdue": ("{level}级，目标{target}分钟内接诊；按应接诊时间排序，已超时，已提前",
                         "Level {level}, to be seen within {target} min; ordered by when each patient is due; "
                         "overdue, moved ahead"),
}
