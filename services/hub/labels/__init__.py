"""The network label register: every site's labels (`store`), verified by number and listed (`api`)."""
