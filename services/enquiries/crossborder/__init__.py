"""Cross-border large orders at a site: asking the hub for a consortium, answering the parts the hub
forwards to this site's social enterprises, and following the consortium of this site's own orders."""
