"""The embedded demo: the whole federation in one process, with believable data for every site."""
