"""The hub's HTML pages: public (`public`: home, label verification, label register) and the agency
dashboard (`agency`, with `charts` and the federation's `health`). Templates are in `templates/`."""
