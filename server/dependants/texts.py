"""Dependants texts (zh, en)."""

TEXTS = {
    "dependants_title": ("家人（为家人预约）", "Family (book for them)"),
    "dependants_intro": ("为孩子或老人问诊：先添加家人，问诊时选择“为谁问诊”。6岁以下儿童须监护人在场。",
                         "To consult for a child or a parent, add them here and choose them when you start. "
                         "A child under 6 is seen only with a guardian present."),
    "dependant_add": ("添加家人", "Add a family member"),
    "relation": ("关系", "Relation"),
    "relation_child": ("子女", "Child"),
    "relation_parent": ("父母", "Parent"),
    "relation_other": ("其他", "Other"),
    "years_old": ("岁", "years"),
    "for_whom": ("为谁问诊", "Who is this for"),
    "for_myself": ("我本人", "Myself"),
    "my_account": ("我的账户", "My account"),
    "back_to_clinic": ("返回问诊", "Back to the clinic"),
    "error.dependant_not_found": ("没有这位家人。", "No such family member."),
}
