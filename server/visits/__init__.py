"""The internet-consultation rules of a consultation (互联网诊疗管理办法（试行）2018): first visit or
confirmed follow-up of a condition diagnosed in person, the guardian of a child under 6, and the
checks that hold a call or a prescription back until the law allows it."""
