"""Every site's enquiries, agreements and impact records at the hub (`store`), the network's impact
totals (`impact`) and the agency's API over them (`api`)."""
