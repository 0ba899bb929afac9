"""The network's good-practice handbook at the hub (issue 19): every site's published case studies, from the
hub's consolidated store, set by the kernel's `services.web.handbook` like a site's."""
