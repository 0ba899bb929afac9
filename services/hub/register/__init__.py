"""The consolidated register: every site's members, offers, case studies and support statements, as
the hub keeps them (`store`), queries them (`queries`), counts them (`stats`) and serves them (`api`)."""
